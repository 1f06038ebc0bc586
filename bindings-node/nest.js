'use strict'
// NestJS: a guard that verifies the request's Bearer token, a @RequireScopes() decorator for
// controllers and handlers, and a filter that sends refusals as the core's one answer.
//
//   app.useGlobalFilters(new GatepassFilter())
//   @Controller('notes') @UseGuards(new GatepassGuard(verifier))
//   class Notes { @Get() @RequireScopes('user:read') list(@Req() req) { return req.gatepass.subject } }
//
// The claims are on `req.gatepass`. Without the filter, refusals still carry the right status and
// problem body (Nest renders them as JSON), but not the WWW-Authenticate challenge.

const { Catch, HttpException } = require('@nestjs/common')
const { TokenError } = require('./index.js')
const { bearerToken, missingToken, tokenFailure } = require('./http.js')

/** Metadata key of the scopes a controller or handler requires. */
const SCOPES = 'gatepass:scopes'

/** Marks a controller class or a handler as requiring every one of `scopes`. */
function RequireScopes(...scopes) {
  return (target, _key, descriptor) => {
    Reflect.defineMetadata(SCOPES, scopes, descriptor ? descriptor.value : target)
    return descriptor || target
  }
}

/** A refused request; `answer` is the core's (status, headers, problem+json body). */
class GatepassRefusal extends HttpException {
  constructor(answer) {
    super(JSON.parse(answer.body), answer.status)
    this.answer = answer
  }
}

class GatepassGuard {
  /** `options.workspace`: tokens must be for it. */
  constructor(verifier, options = {}) {
    if (!verifier) throw new Error('GatepassGuard needs a verifier')
    this.verifier = verifier
    this.workspace = options.workspace
  }

  canActivate(context) {
    const scopes = Reflect.getMetadata(SCOPES, context.getHandler()) ?? Reflect.getMetadata(SCOPES, context.getClass()) ?? []
    const req = context.switchToHttp().getRequest()
    const token = bearerToken(req.headers.authorization ?? null)
    if (!token) throw new GatepassRefusal(missingToken())
    try {
      req.gatepass = this.verifier.require(token, { scopes, workspace: this.workspace })
    } catch (err) {
      if (err instanceof TokenError) throw new GatepassRefusal(tokenFailure(err, scopes))
      throw err
    }
    return true
  }
}

/** Sends a GatepassRefusal byte for byte as the core made it (Express or Fastify adapter). */
class GatepassFilter {
  catch(refusal, host) {
    const res = host.switchToHttp().getResponse()
    const { status, headers, body } = refusal.answer
    if (typeof res.code === 'function' && typeof res.send === 'function' && !res.status) {
      res.code(status).headers(headers).send(body) // Fastify reply
    } else {
      res.status(status).set(headers).send(body) // Express response
    }
  }
}
Catch(GatepassRefusal)(GatepassFilter)

module.exports = { GatepassGuard, GatepassFilter, GatepassRefusal, RequireScopes, SCOPES }
