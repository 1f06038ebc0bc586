'use strict'
// Every case of tests/vectors/, through the Node API (the same files Rust and Python run).

const test = require('node:test')
const assert = require('node:assert/strict')
const { Verifier, TokenError, ConfigError, ERROR_CODES } = require('..')
const { loadVectors } = require('./helpers.js')
const { tokenFailure } = require('../http.js')

const cases = loadVectors()

function build(c) {
  const o = c.options
  return Verifier.offline({
    issuer: c.issuer, jwks: c.jwks, statusLists: c.status_lists, audience: o.audience.length ? o.audience : undefined,
    leeway: o.leeway, prefix: o.prefix, now: c.now, dangerFailOpenWhenStale: o.danger_fail_open_when_stale,
  })
}

test('all vector files load and cover every code', () => {
  const floor = Number(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'tests', 'vectors', 'FLOOR'), 'utf8'))
  assert.ok(cases.length >= floor, `only ${cases.length} vectors; tests/vectors/FLOOR says at least ${floor}`)
  const codes = new Set(cases.filter((c) => c.expect.error).map((c) => c.expect.error))
  assert.deepEqual([...codes].sort(), [...ERROR_CODES].sort())
})

for (const c of cases) {
  test(`vector ${c.name}`, () => {
    if (c.expect.config_error) {
      assert.throws(() => build(c), (e) => e instanceof ConfigError && e.code === 'invalid_config')
      return
    }
    const v = build(c)
    for (let round = 0; round < 2; round++) { // the second goes through the verified-token cache
      let claims
      try {
        claims = c.require ? v.require(c.token, { scopes: c.require.scopes, workspace: c.require.workspace ?? undefined }) : v.verify(c.token)
      } catch (e) {
        assert.ok(e instanceof TokenError, `not a TokenError: ${e}`)
        assert.equal(e.code, c.expect.error, `${e.code}: ${e.message}`)
        assert.equal(e.status, ['insufficient_scope', 'wrong_workspace'].includes(e.code) ? 403 : 401)
        for (const part of c.token.split('.')) if (part.length >= 8) assert.ok(!e.message.includes(part))
        // The framework helpers' answer, byte for byte the core's (and the issuer's).
        const a = tokenFailure(e, c.require ? c.require.scopes : [])
        assert.deepEqual([a.status, a.headers['WWW-Authenticate'], a.body],
          [c.expect.http.status, c.expect.http.www_authenticate, c.expect.http.body])
        assert.equal(a.headers['Cache-Control'], 'no-store')
        continue
      }
      assert.ok(c.expect.claims, `verified, expected ${JSON.stringify(c.expect)}`)
      const got = { subject: claims.subject, workspace: claims.workspace, scopes: claims.scopes, token_id: claims.tokenId,
        issued_at: claims.issuedAt, expires_at: claims.expiresAt, audience: claims.audience }
      assert.deepEqual(got, c.expect.claims)
    }
  })
}
