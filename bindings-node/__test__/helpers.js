'use strict'
// Shared test helpers: the shared vectors, and a real issuer process on a free port.

const fs = require('node:fs')
const path = require('node:path')
const net = require('node:net')
const os = require('node:os')
const crypto = require('node:crypto')
const { spawn, execFileSync } = require('node:child_process')

const ROOT = path.resolve(__dirname, '..', '..')

function loadVectors() {
  const dir = path.join(ROOT, 'tests', 'vectors')
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).cases)
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function issuerBinary() {
  const bin = process.env.GATEPASS_ISSUER_BIN || path.join(ROOT, 'target', 'debug', 'gatepass-issuer')
  if (!fs.existsSync(bin)) throw new Error(`issuer binary not found at ${bin}: cargo build -p gatepass-issuer`)
  return bin
}

async function startIssuer({ listTtl = 5, env: extraEnv = () => ({}) } = {}) {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepass-node-'))
  const url = `http://127.0.0.1:${port}`
  const env = {
    PATH: process.env.PATH, GATEPASS_DATA_DIR: dir, GATEPASS_LISTEN: `127.0.0.1:${port}`, GATEPASS_ISSUER_URL: url,
    GATEPASS_KEK: crypto.randomBytes(32).toString('base64'), GATEPASS_STATUS_LIST_TTL: String(listTtl), GATEPASS_STATUS_LIST_CAPACITY: '65536',
    // A rotated key is published 2 s before it signs (the default waits for polling verifiers).
    GATEPASS_KEY_ACTIVATION_DELAY_SECS: '2',
  }
  Object.assign(env, extraEnv(url))
  const child = spawn(issuerBinary(), ['serve'], { env, stdio: ['ignore', 'pipe', 'ignore'] })
  const admin = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/gp_[A-Za-z0-9_.-]+/)
      if (m) resolve(m[0])
    })
    child.on('exit', (code) => reject(new Error(`issuer exited ${code}`)))
    setTimeout(() => reject(new Error('issuer did not print a bootstrap token')), 30000).unref()
  })
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50))
  }
  const call = async (method, p, body, token = admin) => {
    const r = await fetch(`${url}${p}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: r.status, body: await r.json().catch(() => null) }
  }
  const cli = (...args) => execFileSync(issuerBinary(), args, { env, encoding: 'utf8' })
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
  return { url, admin, call, cli, stop, dir }
}

module.exports = { ROOT, loadVectors, startIssuer, freePort }
