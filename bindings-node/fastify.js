'use strict'
// Fastify hook: requireToken({ scopes, workspace, verifier }) as a preHandler; the verified claims
// are on request.gatepass, failures answer 401/403 with WWW-Authenticate and problem+json.

const { TokenError } = require('./index.js')
const { bearerToken, missingToken, tokenFailure } = require('./http.js')

function requireToken(options = {}) {
  const scopes = options.scopes || []
  return async function gatepassRequireToken(request, reply) {
    const verifier = options.verifier || request.server.gatepass
    if (!verifier) throw new Error('pass { verifier } or decorate the instance with `gatepass`')
    const token = bearerToken(request.headers.authorization)
    const send = (a) => reply.code(a.status).headers(a.headers).send(a.body)
    if (!token) return send(missingToken())
    try {
      request.gatepass = verifier.require(token, { scopes, workspace: options.workspace })
    } catch (err) {
      if (err instanceof TokenError) return send(tokenFailure(err, scopes))
      throw err
    }
  }
}

module.exports = { requireToken }
