import type { Claims, Verifier } from './index'

export interface RequireTokenOptions {
  scopes?: string[]
  workspace?: string
  /** Default: the instance decorated as `gatepass` */
  verifier?: Verifier
}

export declare function requireToken(options?: RequireTokenOptions): (request: any, reply: any) => Promise<unknown>
