import type { Claims, Verifier } from './index'

export interface RequireTokenOptions {
  scopes?: string[]
  workspace?: string
  /** Default: app.locals.gatepass */
  verifier?: Verifier
}

declare global {
  namespace Express {
    interface Request {
      gatepass?: Claims
    }
  }
}

export declare function requireToken(options?: RequireTokenOptions): (req: any, res: any, next: (err?: unknown) => void) => void
