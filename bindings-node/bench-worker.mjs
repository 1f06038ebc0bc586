// One worker thread of bench.mjs's worker-thread row: builds its own offline Verifier (addon
// objects belong to one thread), verifies its share of the tokens once to warm up, then times
// one pass when told to start.
import { parentPort, workerData } from 'node:worker_threads'
import { Verifier } from './index.mjs'

const { options, tokens } = workerData
const verifier = Verifier.offline(options)
for (const t of tokens.slice(0, 100)) verifier.verify(t)
parentPort.on('message', () => {
  const start = process.hrtime.bigint()
  for (const t of tokens) verifier.verify(t)
  parentPort.postMessage(Number(process.hrtime.bigint() - start))
})
parentPort.postMessage('ready')
