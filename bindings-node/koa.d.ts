import type { Claims, Verifier } from './index'

export interface RequireTokenOptions {
  scopes?: string[]
  workspace?: string
  /** Default: app.context.gatepass */
  verifier?: Verifier
}

/** Koa middleware; the verified claims are on `ctx.state.gatepass`. */
export declare function requireToken(options?: RequireTokenOptions): (ctx: any, next: () => Promise<unknown>) => Promise<void>

export type { Claims }
