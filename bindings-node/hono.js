'use strict'
// Hono middleware: requireToken({ scopes, workspace, verifier }) sets c.get('gatepass') to the
// verified claims, or answers 401/403 with the core's one answer (WWW-Authenticate, problem+json).
// Works on any Hono runtime that can load the native addon (Node, with @hono/node-server).

const { TokenError } = require('./index.js')
const { bearerToken, missingToken, tokenFailure } = require('./http.js')

function requireToken(options = {}) {
  const scopes = options.scopes || []
  if (!options.verifier) throw new Error('requireToken needs { verifier }')
  return async function gatepassRequireToken(c, next) {
    const send = (a) => new Response(a.body, { status: a.status, headers: a.headers })
    const token = bearerToken(c.req.header('Authorization') ?? null)
    if (!token) return send(missingToken())
    try {
      c.set('gatepass', options.verifier.require(token, { scopes, workspace: options.workspace }))
    } catch (err) {
      if (err instanceof TokenError) return send(tokenFailure(err, scopes))
      throw err
    }
    await next()
  }
}

module.exports = { requireToken }
