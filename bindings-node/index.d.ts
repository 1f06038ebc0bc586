/**
 * Verified claims. Read them as properties; `claims` (every raw claim) is parsed on first read.
 * `JSON.stringify` includes `claims`; object spread (`{...c}`) copies the named fields only.
 */
export declare class Claims {
  subject: string
  workspace: string
  scopes: string[]
  tokenId: string
  /** Seconds since the epoch. */
  issuedAt: number
  /** Seconds since the epoch; null for a token that never expires. */
  expiresAt: number | null
  /** Empty when the token has no `aud`. */
  audience: string[]
  issuer: string
  /** Every claim of the payload. */
  readonly claims: Record<string, unknown>
  toJSON(): Record<string, unknown>
  private constructor()
}

export type ErrorCode =
  | 'malformed' | 'unsupported_algorithm' | 'unknown_key' | 'bad_signature' | 'wrong_type' | 'wrong_issuer'
  | 'wrong_audience' | 'expired' | 'not_yet_valid' | 'revoked' | 'status_unavailable' | 'insufficient_scope'
  | 'wrong_workspace'

export declare const ERROR_CODES: readonly ErrorCode[]

/** A token that did not verify. `status` is 403 for insufficient_scope and wrong_workspace, else 401. */
export declare class TokenError extends Error {
  readonly code: ErrorCode
  readonly status: 401 | 403
}

/** The verifier cannot be built from these inputs (code `invalid_config`). */
export declare class ConfigError extends Error {
  readonly code: 'invalid_config'
}

export interface OfflineOptions {
  issuer: string
  jwks: string | Buffer
  statusLists?: Record<string, string | Buffer>
  audience?: string | string[]
  /** Seconds of clock skew (default 60). */
  leeway?: number
  /** Default "gp_"; "" for tokens without a prefix. */
  prefix?: string
  /** Pins the clock, in seconds since the epoch (tests). */
  now?: number
  /** Verified tokens remembered (default 10000; 0 = off). */
  cacheSize?: number
  dangerFailOpenWhenStale?: boolean
}

export interface ConnectOptions {
  audience?: string | string[]
  /** Seconds (default 60). */
  leeway?: number
  /** Longest seconds between refreshes (default 300; a list's ttl shortens it). */
  refreshInterval?: number
  /** Seconds a status list may go unconfirmed before status checks fail closed (default 86400). */
  maxStaleness?: number
  /** Milliseconds per HTTP request (default 10000). */
  timeoutDuration?: number
  /** Milliseconds between refetches caused by unknown keys or lists (default 30000). */
  cooldownDuration?: number
  /** Milliseconds to wait for the first load (default 10000); 0 resolves at once. */
  startupTimeout?: number
  /** A usage:report token: verified token ids are reported to the issuer in the background. */
  usageReportToken?: string
  /** Seconds between usage reports (default 60). */
  usageReportInterval?: number
  cacheSize?: number
  dangerFailOpenWhenStale?: boolean
  /** Subscribe to the issuer's push channel, so revocations apply within a second (default true). */
  push?: boolean
}

/** The state of a verifier's push link. */
export interface PushStatus {
  /** The verifier subscribes to the issuer's push channel. */
  enabled: boolean
  /** The link is up (heard from within the last 15 s). */
  connected: boolean
  /** Seconds since the last event or heartbeat; null before the first. */
  lastEventAge: number | null
}

export interface RequireOptions {
  scopes?: string[]
  workspace?: string
}

export declare class Verifier {
  private constructor()
  static connect(issuerUrl: string, options?: ConnectOptions): Promise<Verifier>
  static offline(options: OfflineOptions): Verifier
  /** Throws TokenError. No I/O. */
  verify(token: string): Claims
  /** verify, then workspace (wrong_workspace) and every scope (insufficient_scope). */
  require(token: string, options?: RequireOptions): Claims
  /** Online: refresh now and wait (rejects with ConfigError; last good data stays). */
  refresh(timeoutMs?: number): Promise<void>
  /** The push link: on, up, and how long ago the issuer was last heard. Alert when it is down. */
  pushStatus(): PushStatus
  /** Stops the background refresh. */
  close(): void
  readonly issuer: string
  readonly keyIds: string[]
  readonly statusListUris: string[]
}
