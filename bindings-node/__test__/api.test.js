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
