'use strict'
// `npm pack` gives a tarball that installs in a fresh project and verifies a token there,
// from CommonJS and from ESM.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { loadVectors } = require('./helpers.js')

test('the packed tarball installs and works in a fresh project', () => {
  const pkgDir = path.resolve(__dirname, '..')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepass-pack-'))
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkgDir, encoding: 'utf8' }).trim().split('\n').pop()
  const project = path.join(work, 'app')
  fs.mkdirSync(project)
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', path.join(work, tarball)], { cwd: project })
  const c = loadVectors().find((v) => v.name === 'eddsa_valid')
  fs.writeFileSync(path.join(project, 'case.json'), JSON.stringify(c))
  const script = `const c = require('./case.json'); const v = g.Verifier.offline({ issuer: c.issuer, jwks: c.jwks, statusLists: c.status_lists, now: c.now }); process.stdout.write(v.verify(c.token).subject)`
  assert.equal(execFileSync('node', ['-e', `const g = require('gatepass'); ${script}`], { cwd: project, encoding: 'utf8' }), 'user_42')
  fs.writeFileSync(path.join(project, 'esm.mjs'), `import * as g from 'gatepass'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`)
  assert.equal(execFileSync('node', ['esm.mjs'], { cwd: project, encoding: 'utf8' }), 'user_42')
  fs.rmSync(work, { recursive: true, force: true })
})
