'use strict'
// The Node surface: errors as instances with codes, Buffers, claims shape, ESM.

const test = require('node:test')
const assert = require('node:assert/strict')
const gatepass = require('..')
const { loadVectors } = require('./helpers.js')

const byName = Object.fromEntries(loadVectors().map((c) => [c.name, c]))
const C = byName.eddsa_valid

test('offline accepts Buffers and verifies', () => {
  const lists = Object.fromEntries(Object.entries(C.status_lists).map(([u, j]) => [u, Buffer.from(j)]))
  const v = gatepass.Verifier.offline({ issuer: C.issuer, jwks: Buffer.from(C.jwks), statusLists: lists, now: C.now })
  const claims = v.verify(C.token)
  assert.equal(claims.subject, 'user_42')
  assert.equal(claims.claims.status.status_list.idx, 17)
  assert.deepEqual(v.keyIds.length, 2)
  assert.deepEqual(v.statusListUris, Object.keys(C.status_lists))
  assert.equal(v.issuer, 'https://issuer.example')
})

test('never-expiring tokens have expiresAt null', () => {
  const c = byName.never_expires
  const v = gatepass.Verifier.offline({ issuer: c.issuer, jwks: c.jwks, statusLists: c.status_lists, now: c.now })
  assert.equal(v.verify(c.token).expiresAt, null)
})

test('errors are TokenError instances with code and status', () => {
  const v = gatepass.Verifier.offline({ issuer: C.issuer, jwks: C.jwks, statusLists: C.status_lists, now: C.now })
  assert.throws(() => v.require(C.token, { scopes: ['admin:write'] }), (e) => e instanceof gatepass.TokenError && e instanceof Error && e.code === 'insufficient_scope' && e.status === 403)
  assert.throws(() => v.require(C.token, { workspace: 'globex' }), { code: 'wrong_workspace' })
  assert.throws(() => v.verify('nope'), { code: 'malformed', status: 401 })
  assert.throws(() => gatepass.Verifier.offline({ issuer: C.issuer, jwks: byName.jwks_private_key.jwks }), (e) => e instanceof gatepass.ConfigError && /private/.test(e.message))
})

test('ESM import gives the same classes', async () => {
  const esm = await import('../index.mjs')
  assert.equal(esm.Verifier, gatepass.Verifier)
  assert.equal(esm.TokenError, gatepass.TokenError)
})

test('connect fails clearly when nothing listens', async () => {
  await assert.rejects(gatepass.Verifier.connect('http://127.0.0.1:9', { startupTimeout: 1000 }),
    (e) => e instanceof gatepass.ConfigError && /gatepass-configuration/.test(e.message))
})

test('options left out keep the core defaults; bad durations are ConfigErrors from the core', () => {
  const { Verifier: V, ConfigError: CE } = gatepass
  const c = loadVectors().find((x) => x.name === 'eddsa_valid')
  const v = V.offline({ issuer: c.issuer, jwks: c.jwks, statusLists: c.status_lists, now: c.now })
  assert.ok(v.verify(c.token).subject)
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(() => V.offline({ issuer: c.issuer, jwks: c.jwks, leeway: bad }),
      (e) => e instanceof CE && e.code === 'invalid_config' && /leeway must be a non-negative number of seconds/.test(e.message))
  }
})

// The claims cross N-API packed in one string (src/lib.rs `packed`); a claim that holds one of
// its separators goes as an array instead. Both must give the same Claims.
test('claims arrive whole, separator characters in claims included', () => {
  const crypto = require('node:crypto')
  const zlib = require('node:zlib')
  const b64 = (buf) => Buffer.from(buf).toString('base64url')
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
  const sign = (typ, claims) => {
    const input = `${b64(JSON.stringify({ alg: 'EdDSA', typ, kid: 'k' }))}.${b64(JSON.stringify(claims))}`
    return `${input}.${b64(crypto.sign(null, Buffer.from(input), privateKey))}`
  }
  const iss = 'https://issuer.example'
  const now = 1767225600
  const uri = `${iss}/v1/status-lists/1`
  const list = sign('statuslist+jwt', { sub: uri, iat: now, status_list: { bits: 1, lst: b64(zlib.deflateSync(Buffer.alloc(16))) } })
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'EdDSA', use: 'sig' }] })
  const v = gatepass.Verifier.offline({ issuer: iss, jwks, statusLists: { [uri]: list }, now, audience: 'z' })
  const cases = [
    { sub: 'user_1', aud: 'z', exp: now + 60 },
    { sub: 'a\u0001b', aud: ['x\u0002y', 'z'] },
    { sub: 'user_2', aud: ['x\u0002y', 'z'], exp: now + 60 },
    { sub: 'ünï\u00e9', aud: ['z', 'w'], scope: '' },
  ]
  for (const c of cases) {
    const payload = { iss, ws: 'acme', scope: 'user:read user:write', iat: now - 1, jti: 'tok_1', status: { status_list: { idx: 3, uri } }, ...c }
    const claims = v.verify('gp_' + sign('gatepass+jwt', payload))
    assert.ok(claims instanceof gatepass.Claims)
    assert.deepEqual(
      [claims.subject, claims.workspace, claims.scopes, claims.tokenId, claims.issuedAt, claims.expiresAt, claims.audience, claims.issuer],
      [c.sub, 'acme', payload.scope === '' ? [] : ['user:read', 'user:write'], 'tok_1', now - 1, c.exp ?? null, [].concat(c.aud), iss],
      JSON.stringify(c))
    assert.deepEqual(claims.claims, payload)
    assert.deepEqual(JSON.parse(JSON.stringify(claims)).claims, payload, 'JSON.stringify includes the raw claims')
  }
})
