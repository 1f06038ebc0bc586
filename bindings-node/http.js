'use strict'
// What the framework helpers share: the Bearer token of a request, and the answer for a refused
// request. Both are the Rust core's (gatepass::http), so Express, Fastify, the Python helpers and
// the issuer answer byte for byte alike: 401 invalid_token (no error code without a token), 403
// insufficient_scope, WWW-Authenticate (RFC 6750), a problem+json body (RFC 9457), no-store.

const native = require('./native.js')

const PROBLEM_JSON = 'application/problem+json'

/** The token of an `Authorization: Bearer <token>` header value, or null. */
function bearerToken(header) {
  return native.bearerToken(typeof header === 'string' ? header : null)
}

function answer([status, headers, body]) {
  return { status, headers: Object.fromEntries(headers), body }
}

/** 401 for a request without a Bearer token (RFC 6750 §3.1: no error code). */
function missingToken() {
  return answer(native.rejection(null, null, []))
}

/** The answer for a failed verify/require; `scopes` are the route's. `body` is problem+json text. */
function tokenFailure(err, scopes) {
  return answer(native.rejection(err.code, err.message, scopes ? [...scopes] : []))
}

module.exports = { bearerToken, missingToken, tokenFailure, PROBLEM_JSON }
