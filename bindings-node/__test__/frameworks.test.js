'use strict'
// The Express middleware and the Fastify hook, over real HTTP on free ports.

const test = require('node:test')
const assert = require('node:assert/strict')
const { Verifier } = require('..')
const { loadVectors } = require('./helpers.js')

const byName = Object.fromEntries(loadVectors().map((c) => [c.name, c]))
const C = byName.eddsa_valid
const GOOD = C.token
const REVOKED = byName.status_revoked.token
const verifier = () => Verifier.offline({ issuer: C.issuer, jwks: C.jwks, statusLists: C.status_lists, now: C.now })

async function checkAnswers(base) {
  const get = (p, token) => fetch(`${base}${p}`, { headers: token !== undefined ? { Authorization: `Bearer ${token}` } : {} })
  let r = await get('/read', GOOD)
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { user: 'user_42' })

  // No credentials, also an empty Bearer: 401 without an error code (RFC 6750 §3.1).
  for (const token of [undefined, '']) {
    r = await get('/read', token)
    assert.equal(r.status, 401)
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="gatepass"')
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/)
    assert.equal(r.headers.get('cache-control'), 'no-store')
    assert.equal((await r.json()).type, 'urn:gatepass:problem:missing_token')
  }

  // Byte for byte the answer the shared vectors hold (the core's, the issuer's, Python's).
  r = await get('/read', REVOKED)
  const want = byName.status_revoked.expect.http
  assert.equal(r.status, want.status)
  assert.equal(r.headers.get('www-authenticate'), want.www_authenticate)
  assert.equal(await r.text(), want.body)
  assert.equal(r.headers.get('cache-control'), 'no-store')

  r = await get('/write', GOOD)
  assert.equal(r.status, 403)
  assert.match(r.headers.get('www-authenticate'), /error="insufficient_scope".*scope="admin:write"/)
  assert.equal((await r.json()).type, 'urn:gatepass:problem:insufficient_scope')

  r = await get('/other-workspace', GOOD)
  assert.equal(r.status, 403)
  assert.equal((await r.json()).code, 'wrong_workspace')
}

test('express middleware', async () => {
  const express = require('express')
  const { requireToken } = require('../express.js')
  const app = express()
  app.locals.gatepass = verifier()
  app.get('/read', requireToken({ scopes: ['user:read'] }), (req, res) => res.json({ user: req.gatepass.subject }))
  app.get('/write', requireToken({ scopes: ['admin:write'] }), (req, res) => res.json({}))
  app.get('/other-workspace', requireToken({ workspace: 'globex' }), (req, res) => res.json({}))
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  try {
    await checkAnswers(`http://127.0.0.1:${server.address().port}`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('fastify hook', async () => {
  const fastify = require('fastify')()
  const { requireToken } = require('../fastify.js')
  fastify.decorate('gatepass', verifier())
  fastify.get('/read', { preHandler: requireToken({ scopes: ['user:read'] }) }, async (req) => ({ user: req.gatepass.subject }))
  fastify.get('/write', { preHandler: requireToken({ scopes: ['admin:write'] }) }, async () => ({}))
  fastify.get('/other-workspace', { preHandler: requireToken({ workspace: 'globex' }) }, async () => ({}))
  const base = await fastify.listen({ port: 0, host: '127.0.0.1' })
  try {
    await checkAnswers(base)
  } finally {
    await fastify.close()
  }
})

test('koa middleware', async () => {
  const Koa = require('koa')
  const { requireToken } = require('../koa.js')
  const app = new Koa()
  app.context.gatepass = verifier()
  const routes = {
    '/read': [requireToken({ scopes: ['user:read'] }), (ctx) => { ctx.body = { user: ctx.state.gatepass.subject } }],
    '/write': [requireToken({ scopes: ['admin:write'] }), (ctx) => { ctx.body = {} }],
    '/other-workspace': [requireToken({ workspace: 'globex' }), (ctx) => { ctx.body = {} }],
  }
  app.use(async (ctx) => {
    const [guard, handler] = routes[ctx.path]
    await guard(ctx, async () => handler(ctx))
  })
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  try {
    await checkAnswers(`http://127.0.0.1:${server.address().port}`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('hono middleware (Node adapter)', async () => {
  const { Hono } = require('hono')
  const { serve } = require('@hono/node-server')
  const { requireToken } = require('../hono.js')
  const v = verifier()
  const app = new Hono()
  app.get('/read', requireToken({ verifier: v, scopes: ['user:read'] }), (c) => c.json({ user: c.get('gatepass').subject }))
  app.get('/write', requireToken({ verifier: v, scopes: ['admin:write'] }), (c) => c.json({}))
  app.get('/other-workspace', requireToken({ verifier: v, workspace: 'globex' }), (c) => c.json({}))
  const server = await new Promise((resolve) => { const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s)) })
  try {
    await checkAnswers(`http://127.0.0.1:${server.address().port}`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  assert.throws(() => requireToken({}), /verifier/)
})

test('nestjs guard with @RequireScopes()', async () => {
  require('reflect-metadata')
  const { Controller, Get, Module, Req, UseGuards } = require('@nestjs/common')
  const { NestFactory } = require('@nestjs/core')
  const { GatepassFilter, GatepassGuard, RequireScopes } = require('../nest.js')
  const v = verifier()

  // The decorators applied by hand: what TypeScript's `@Get('read') @RequireScopes('user:read')` emits.
  const method = (cls, name, decorators) => {
    Reflect.decorate(decorators, cls.prototype, name, Object.getOwnPropertyDescriptor(cls.prototype, name))
    Req()(cls.prototype, name, 0)
  }
  class Notes {
    read(req) { return { user: req.gatepass.subject } }
    write(req) { return { user: req.gatepass.subject } }
  }
  method(Notes, 'read', [Get('read'), RequireScopes('user:read')])
  method(Notes, 'write', [Get('write'), RequireScopes('admin:write')])
  Reflect.decorate([Controller(), UseGuards(new GatepassGuard(v))], Notes)
  class Other {
    any(req) { return { user: req.gatepass.subject } }
  }
  method(Other, 'any', [Get()])
  Reflect.decorate([Controller('other-workspace'), UseGuards(new GatepassGuard(v, { workspace: 'globex' }))], Other)
  class AppModule {}
  Reflect.decorate([Module({ controllers: [Notes, Other] })], AppModule)

  const app = await NestFactory.create(AppModule, { logger: false })
  app.useGlobalFilters(new GatepassFilter())
  await app.listen(0, '127.0.0.1')
  try {
    await checkAnswers(`http://127.0.0.1:${app.getHttpServer().address().port}`)
  } finally {
    await app.close()
  }
})
