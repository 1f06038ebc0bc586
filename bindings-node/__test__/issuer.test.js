'use strict'
// Against the real issuer binary: mint, verify, revoke, key rotation, issuer down, staleness.

const test = require('node:test')
const assert = require('node:assert/strict')
const { Verifier, TokenError } = require('..')
const { startIssuer } = require('./helpers.js')

const mint = async (issuer, extra = {}) => {
  const r = await issuer.call('POST', '/v1/tokens', { name: 'node', scopes: ['user:read'], ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

test('mint, verify, revoke after one refresh, rotate keys', async () => {
  const issuer = await startIssuer()
  try {
    const created = await mint(issuer)
    const v = await Verifier.connect(issuer.url, { cooldownDuration: 0 })
    assert.equal(v.require(created.token, { scopes: ['user:read'], workspace: 'default' }).tokenId, created.id)
    assert.equal((await issuer.call('POST', `/v1/tokens/${created.id}/revoke`, {})).status, 200)
    await v.refresh()
    assert.throws(() => v.verify(created.token), (e) => e instanceof TokenError && e.code === 'revoked')

    const old = (await mint(issuer)).token
    const kid = issuer.cli('keys', 'rotate').trim()
    let fresh
    for (let i = 0; i < 40; i++) {
      fresh = (await mint(issuer)).token
      const header = JSON.parse(Buffer.from(fresh.slice(3).split('.')[0], 'base64url'))
      if (header.kid === kid) break
      await new Promise((r) => setTimeout(r, 250))
    }
    await v.refresh()
    assert.ok(v.keyIds.includes(kid))
    assert.equal(v.verify(old).subject, 'admin')
    assert.equal(v.verify(fresh).subject, 'admin')
    v.close()
  } finally {
    await issuer.stop()
  }
})

test('issuer stopped: last good data, then fail closed past the staleness limit', async () => {
  const issuer = await startIssuer()
  const token = (await mint(issuer)).token
  const v = await Verifier.connect(issuer.url, { maxStaleness: 2, timeoutDuration: 1000 })
  const open = await Verifier.connect(issuer.url, { maxStaleness: 2, timeoutDuration: 1000, dangerFailOpenWhenStale: true })
  await issuer.stop()
  await assert.rejects(v.refresh(3000), { code: 'invalid_config' })
  assert.equal(v.verify(token).subject, 'admin')
  await new Promise((r) => setTimeout(r, 3500)) // staleness counts whole seconds: now - confirmed > 2
  assert.throws(() => v.verify(token), { code: 'status_unavailable' })
  assert.equal(open.verify(token).subject, 'admin')
  v.close()
  open.close()
})

test('a process with an open verifier still exits when the app is done', async () => {
  const issuer = await startIssuer()
  try {
    const { spawnSync } = require('node:child_process')
    const path = require('node:path')
    const script = `const { Verifier } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
      Verifier.connect(${JSON.stringify(issuer.url)}).then((v) => { console.log(v.keyIds.length) })`
    const started = Date.now()
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), '1')
    assert.ok(Date.now() - started < 10000, 'the background refresh did not keep the event loop alive')
  } finally {
    await issuer.stop()
  }
})

test('revocations are pushed to a connected verifier within a second', async () => {
  // Lists are re-polled only every 300 s: a fast revocation can only come from the push channel.
  const issuer = await startIssuer({ listTtl: 300 })
  try {
    const created = await mint(issuer)
    const pushed = await Verifier.connect(issuer.url)
    const polled = await Verifier.connect(issuer.url, { push: false })
    const waitFor = async (condition, ms = 10000) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        if (condition()) return true
        await new Promise((r) => setTimeout(r, 5))
      }
      return false
    }
    assert.ok(await waitFor(() => pushed.pushStatus().connected), JSON.stringify(pushed.pushStatus()))
    assert.equal(pushed.verify(created.token).tokenId, created.id)
    assert.equal((await issuer.call('POST', `/v1/tokens/${created.id}/revoke`, {})).status, 200)
    const revoked = (v) => {
      try { v.verify(created.token); return false } catch (e) { return e instanceof TokenError && e.code === 'revoked' }
    }
    const started = Date.now()
    assert.ok(await waitFor(() => revoked(pushed), 5000), 'not pushed')
    console.log(`revocation applied after ${Date.now() - started} ms`)
    const status = pushed.pushStatus()
    assert.equal(status.enabled, true)
    assert.equal(status.connected, true)
    assert.ok(status.lastEventAge !== null && status.lastEventAge < 15)
    assert.equal(polled.pushStatus().enabled, false)
    assert.equal(revoked(polled), false, 'push off: nothing until a refresh')
    await polled.refresh()
    assert.equal(revoked(polled), true)
    pushed.close()
    polled.close()
  } finally {
    await issuer.stop()
  }
})

test('a key rotation refuses no token (next key published before it signs)', async () => {
  const issuer = await startIssuer()
  try {
    const v = await Verifier.connect(issuer.url)
    for (let i = 0; i < 200 && !v.pushStatus().connected; i++) await new Promise((r) => setTimeout(r, 50))
    const kidOf = (t) => JSON.parse(Buffer.from(t.slice(3).split('.')[0], 'base64url')).kid
    let newKid = null
    let unknown = 0
    let onNew = 0
    let total = 0
    const started = Date.now()
    while (Date.now() - started < 5000) {
      if (newKid === null && Date.now() - started > 500) newKid = issuer.cli('keys', 'rotate').trim()
      const { token } = await mint(issuer)
      total++
      try {
        v.verify(token)
        if (kidOf(token) === newKid) onNew++
      } catch (e) {
        if (e instanceof TokenError && e.code === 'unknown_key') unknown++
        else throw e
      }
    }
    assert.equal(unknown, 0, `${unknown} of ${total} tokens refused during the rotation`)
    assert.ok(onNew > 0, 'the new key never signed')
    v.close()
  } finally {
    await issuer.stop()
  }
})
