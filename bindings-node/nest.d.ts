import type { Claims, Verifier } from './index'

/** Marks a controller class or a handler as requiring every one of `scopes`. */
export declare function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator

/** Verifies the Bearer token; the claims are on `req.gatepass`. */
export declare class GatepassGuard {
  constructor(verifier: Verifier, options?: { workspace?: string })
  canActivate(context: any): boolean
}

/** A refused request, carrying the core's answer. */
export declare class GatepassRefusal extends Error {
  readonly answer: { status: number; headers: Record<string, string>; body: string }
  getStatus(): number
}

/** Sends refusals byte for byte as the core made them: `app.useGlobalFilters(new GatepassFilter())`. */
export declare class GatepassFilter {
  catch(refusal: GatepassRefusal, host: any): void
}

export declare const SCOPES: string
export type { Claims }
