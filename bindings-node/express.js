'use strict'
// Express middleware: requireToken({ scopes, workspace, verifier }) puts the verified claims on
// req.gatepass, or answers 401/403 with WWW-Authenticate and problem+json.

const { TokenError } = require('./index.js')
const { bearerToken, missingToken, tokenFailure } = require('./http.js')

function requireToken(options = {}) {
  const scopes = options.scopes || []
  return function gatepassRequireToken(req, res, next) {
    const verifier = options.verifier || (req.app && req.app.locals && req.app.locals.gatepass)
    if (!verifier) return next(new Error('pass { verifier } or set app.locals.gatepass'))
    const token = bearerToken(req.headers.authorization)
    const send = (a) => res.status(a.status).set(a.headers).send(a.body)
    if (!token) return send(missingToken())
    try {
      req.gatepass = verifier.require(token, { scopes, workspace: options.workspace })
    } catch (err) {
      if (err instanceof TokenError) return send(tokenFailure(err, scopes))
      return next(err)
    }
    next()
  }
}

module.exports = { requireToken }
