'use strict'
// Koa middleware: requireToken({ scopes, workspace, verifier }) puts the verified claims on
// ctx.state.gatepass, or answers 401/403 with the core's one answer (WWW-Authenticate, problem+json).

const { TokenError } = require('./index.js')
const { bearerToken, missingToken, tokenFailure } = require('./http.js')

function requireToken(options = {}) {
  const scopes = options.scopes || []
  return async function gatepassRequireToken(ctx, next) {
    const verifier = options.verifier || ctx.app.context.gatepass
    if (!verifier) throw new Error('pass { verifier } or set app.context.gatepass')
    const send = (a) => {
      ctx.status = a.status
      ctx.set(a.headers)
      ctx.body = a.body
      ctx.type = a.headers['Content-Type']
    }
    const token = bearerToken(ctx.get('Authorization') || null)
    if (!token) return send(missingToken())
    try {
      ctx.state.gatepass = verifier.require(token, { scopes, workspace: options.workspace })
    } catch (err) {
      if (err instanceof TokenError) return send(tokenFailure(err, scopes))
      throw err
    }
    await next()
  }
}

module.exports = { requireToken }
