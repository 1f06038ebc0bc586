// A product's backend as a user would write it: a typed client generated from the issuer's
// /openapi.json (openapi-typescript + openapi-fetch), creating, listing, rotating and revoking
// tokens on a real issuer. `tsc --strict` checks it against the generated types; ./run runs it.
import createClient from 'openapi-fetch'
import type { paths } from './generated/schema'

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`openapi client (TypeScript): ${what}`)
}

async function main(): Promise<void> {
  const baseUrl = process.env.GATEPASS_URL ?? ''
  const admin = process.env.GATEPASS_ADMIN ?? ''
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${admin}` } })

  const created = await client.POST('/v1/tokens', { body: { name: 'from-typescript', scopes: ['user:read'], expires_in_days: 30 } })
  check(created.response.status === 201 && created.data !== undefined, `create answered ${created.response.status}`)
  const id: string = created.data!.id
  const secret: string = created.data!.token

  const listed = await client.GET('/v1/tokens', { params: { query: { limit: 200 } } })
  check(listed.data !== undefined && listed.data.tokens.some((t) => t.id === id), 'the new token is listed')

  const rotated = await client.POST('/v1/tokens/{id}/rotate', { params: { path: { id } }, body: { grace_period_seconds: 0 } })
  check(rotated.response.status === 201 && rotated.data !== undefined, `rotate answered ${rotated.response.status}`)
  const successor: string = rotated.data!.id
  check(successor !== id && rotated.data!.token !== secret, 'rotation made a new token')

  const revoked = await client.POST('/v1/tokens/{id}/revoke', { params: { path: { id: successor } } })
  check(revoked.response.status === 200 && revoked.data?.status === 'revoked', `revoke answered ${revoked.response.status}`)

  const refused = await client.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_nope' } } })
  check(refused.response.status === 404 && refused.error?.type === 'urn:gatepass:problem:not_found', 'errors are typed problems')
  console.log('TypeScript client: created, listed, rotated and revoked a token')
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
