// Compiled with `tsc --strict --noEmit` by scripts/test: the package's declarations must
// describe real use without `any` leaking into user code.
import { Verifier, TokenError, ConfigError, ERROR_CODES, type Claims, type ErrorCode } from '../../bindings-node/index'
import { requireToken } from '../../bindings-node/express'

async function main(token: string): Promise<string> {
  const online: Verifier = await Verifier.connect('https://issuer.example', { audience: 'api', timeoutDuration: 5000 })
  const offline = Verifier.offline({ issuer: 'https://issuer.example', jwks: '{"keys": []}', statusLists: {}, now: 0 })
  try {
    const claims: Claims = online.require(token, { scopes: ['user:read'], workspace: 'ws_acme' })
    const expiry: number | null = claims.expiresAt
    return `${claims.subject} ${claims.scopes.join(' ')} ${expiry ?? 'never'} ${offline.keyIds.length}`
  } catch (err) {
    if (err instanceof TokenError) {
      const code: ErrorCode = err.code
      const status: 401 | 403 = err.status
      return `${code} ${status} ${ERROR_CODES.length}`
    }
    if (err instanceof ConfigError) return err.code
    throw err
  } finally {
    await online.refresh(1000)
    online.close()
  }
}

const middleware = requireToken({ scopes: ['user:read'] })
void middleware
void main

// The other frameworks' declarations, as users would call them.
import { requireToken as koaRequire } from '../../bindings-node/koa'
import { requireToken as honoRequire } from '../../bindings-node/hono'
import { GatepassFilter, GatepassGuard, GatepassRefusal, RequireScopes } from '../../bindings-node/nest'

function frameworks(verifier: Verifier): void {
  const koa = koaRequire({ scopes: ['user:read'], verifier })
  const hono = honoRequire({ verifier, workspace: 'ws_acme' })
  const guard = new GatepassGuard(verifier, { workspace: 'ws_acme' })
  const filter = new GatepassFilter()
  const decorate = RequireScopes('user:read', 'user:write')
  const refusal = (e: GatepassRefusal): number => e.answer.status + e.getStatus()
  void [koa, hono, guard, filter, decorate, refusal]
}
void frameworks
