'use strict'
// What the framework helpers share: the Bearer token of a request, and the RFC 6750 + RFC 9457
// answer for a failure. The 401/403 decision is the core's (TokenError.status).

const PROBLEM_JSON = 'application/problem+json'

function bearerToken(header) {
  if (typeof header !== 'string') return null
  const space = header.indexOf(' ')
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return null
  const token = header.slice(space + 1).replace(/^ +/, '')
  return token || null
}

const quote = (s) => String(s).replace(/["\\]/g, "'")

function missingToken() {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer', 'Content-Type': PROBLEM_JSON },
    body: { type: 'urn:gatepass:problem:missing_token', title: 'Authentication required', status: 401,
      detail: 'send a gatepass token as "Authorization: Bearer <token>"' },
  }
}

function tokenFailure(err, scopes) {
  const forbidden = err.status === 403
  const error = forbidden ? 'insufficient_scope' : 'invalid_token'
  let www = `Bearer error="${error}", error_description="${quote(err.message)}"`
  if (forbidden && scopes && scopes.length) www += `, scope="${quote(scopes.join(' '))}"`
  return {
    status: err.status,
    headers: { 'WWW-Authenticate': www, 'Content-Type': PROBLEM_JSON },
    body: { type: `urn:gatepass:problem:${error}`, title: forbidden ? 'Insufficient scope' : 'Invalid token',
      status: err.status, detail: `${err.message} (${err.code})`, code: err.code },
  }
}

module.exports = { bearerToken, missingToken, tokenFailure, PROBLEM_JSON }
