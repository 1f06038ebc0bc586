'use strict'
// The public API of the `gatepass` package. Verification is the Rust core's (native.js loads
// the addon); this file only turns coded native errors into TokenError instances.

const native = require('./native.js')

const ERROR_CODES = Object.freeze(native.errorCodes())
const FORBIDDEN = new Set(native.forbiddenCodes())
const MARK = 'gatepass:'

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

function translate(err) {
  const text = err && typeof err.message === 'string' ? err.message : ''
  if (!text.startsWith(MARK)) return err
  const rest = text.slice(MARK.length)
  const sep = rest.indexOf(':')
  const code = rest.slice(0, sep)
  const message = rest.slice(sep + 1)
  return code === 'invalid_config' ? new ConfigError(message) : new TokenError(code, message)
}

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
      throw translate(err)
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
    try {
      return this._inner.verify(token)
    } catch (err) {
      throw translate(err)
    }
  }

  require(token, options = {}) {
    try {
      return this._inner.require(token, options.scopes, options.workspace)
    } catch (err) {
      throw translate(err)
    }
  }

  async refresh(timeoutMs) {
    try {
      await this._inner.refresh(timeoutMs)
    } catch (err) {
      throw translate(err)
    }
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

module.exports = { Verifier, TokenError, ConfigError, ERROR_CODES }
