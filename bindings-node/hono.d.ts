import type { Claims, Verifier } from './index'

export interface RequireTokenOptions {
  scopes?: string[]
  workspace?: string
  verifier: Verifier
}

/** Hono middleware; the verified claims are `c.get('gatepass')` (declare `Variables: { gatepass: Claims }`). */
export declare function requireToken(options: RequireTokenOptions): (c: any, next: () => Promise<void>) => Promise<Response | void>

export type { Claims }
