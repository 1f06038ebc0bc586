'use strict'
// A small app protected by gatepass: one read route, one write route.
//   GATEPASS_ISSUER=http://127.0.0.1:8080 node app.js

const express = require('express')
const { Verifier } = require('gatepass')
const { requireToken } = require('gatepass/express')

async function main() {
  const issuer = process.env.GATEPASS_ISSUER || 'http://127.0.0.1:8080'
  const app = express()
  // Loads keys and status lists, then refreshes them in the background; verify() is local.
  app.locals.gatepass = await Verifier.connect(issuer)
  const notes = []
  app.get('/notes', requireToken({ scopes: ['user:read'] }), (req, res) => {
    res.json({ user: req.gatepass.subject, workspace: req.gatepass.workspace, notes })
  })
  app.post('/notes', requireToken({ scopes: ['user:write'] }), express.text(), (req, res) => {
    notes.push(`${req.gatepass.subject}: ${req.body}`)
    res.json({ added: req.body })
  })
  const port = Number(process.env.PORT || 3000)
  app.listen(port, () => console.log(`listening on http://127.0.0.1:${port}`))
}

main().catch((err) => {
  console.error(err.message)
  process.exit(1)
})
