'use strict'
// The public API of the `gatepass` package. Verification is the Rust core's (native.js loads
// the addon); this file only turns coded native errors into TokenError instances.

const native = require('./native.js')

const ERROR_CODES = Object.freeze(native.errorCodes())
const FORBIDDEN = new Set(native.forbiddenCodes())

/** A token that did not verify; `code` is one of ERROR_CODES, `status` the HTTP answer. */
class TokenError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'TokenError'
    this.code = code
    this.status = FORBIDDEN.has(code) ? 403 : 401
  }
}

/** Inputs the verifier cannot be built from (or, online, an issuer that did not load in time). */
class ConfigError extends Error {
  constructor(message) {
    super(message)
    this.name = 'ConfigError'
    this.code = 'invalid_config'
  }
}

// The packed claims string of src/lib.rs (`packed`): nine fields separated by U+0001, numbers
// in decimal, the audience's entries separated by U+0002. An indexOf loop, not split: measured
// 108 against 260 ns.
function unpack(s) {
  const f = new Array(9)
  let at = 0
  for (let k = 0; k < 8; k++) {
    const end = s.indexOf('\u0001', at)
    f[k] = s.slice(at, end)
    at = end + 1
  }
  f[8] = s.slice(at)
  f[4] = Number(f[4])
  f[5] = f[5] === '' ? null : Number(f[5])
  f[6] = f[6] === '' ? [] : f[6].split('\u0002')
  return f
}

/**
 * A verified token's claims. `claims` (every raw claim) is parsed from JSON text on first read,
 * so the common case (subject, scopes, …) never pays for converting the whole payload.
 * A class, not an object literal with a getter: V8 builds an instance in a sixth of the time
 * (measured 86 against 530 ns).
 */
class Claims {
  #json
  #parsed
  /** @param f the native answer: one packed string, or the flat array (see src/lib.rs) */
  constructor(f) {
    if (typeof f === 'string') f = unpack(f)
    this.subject = f[0]
    this.workspace = f[1]
    this.scopes = f[2] === '' ? [] : f[2].split(' ')
    this.tokenId = f[3]
    this.issuedAt = f[4]
    this.expiresAt = f[5]
    this.audience = f[6]
    this.issuer = f[7]
    this.#json = f[8]
  }

  get claims() {
    if (this.#parsed === undefined) this.#parsed = JSON.parse(this.#json)
    return this.#parsed
  }

  /** Every field, `claims` included (a getter is not an own property, so say it here). */
  toJSON() {
    return { ...this, claims: this.claims }
  }
}

// The native side throws errors whose `code` is the core's (see src/errors.rs); nothing is parsed.
const CODES = new Set(ERROR_CODES)

function translate(err) {
  if (!err || typeof err.code !== 'string') return err
  if (err.code === 'invalid_config') return new ConfigError(err.message)
  if (CODES.has(err.code)) return new TokenError(err.code, err.message)
  return err
}

// `connect` and `refresh` run as async tasks, whose rejections carry napi's status: InvalidArg
// is the core's configuration error there.
function translateTask(err) {
  return err && err.code === 'InvalidArg' ? new ConfigError(err.message) : translate(err)
}

// Every call goes to the core, whose own cache makes a repeated token cheap; nothing is cached
// here (one cache, one behaviour, in Rust).
class Verifier {
  /** @private use Verifier.connect or Verifier.offline */
  constructor(inner) {
    this._inner = inner
  }

  /** Online: discover the issuer, load keys and status lists (on a worker thread), keep them fresh. */
  static async connect(issuerUrl, options) {
    try {
      return new Verifier(await native.connect(issuerUrl, options))
    } catch (err) {
      throw translateTask(err)
    }
  }

  /** Offline, from the JWKS and status-list tokens (strings or Buffers). */
  static offline(options) {
    try {
      return new Verifier(native.NativeVerifier.offline(options))
    } catch (err) {
      throw translate(err)
    }
  }

  verify(token) {
    return this.require(token)
  }

  require(token, options) {
    const scopes = options && options.scopes
    const workspace = options && options.workspace
    try {
      return new Claims(this._inner.requirePacked(token, scopes, workspace))
    } catch (err) {
      throw translate(err)
    }
  }

  async refresh(timeoutMs) {
    try {
      await this._inner.refresh(timeoutMs)
    } catch (err) {
      throw translateTask(err)
    }
  }

  pushStatus() {
    return this._inner.pushStatus()
  }

  close() {
    this._inner.close()
  }

  get issuer() {
    return this._inner.issuer
  }

  get keyIds() {
    return this._inner.keyIds
  }

  get statusListUris() {
    return this._inner.statusListUris
  }
}

module.exports = { Verifier, Claims, TokenError, ConfigError, ERROR_CODES }
