// ESM entry: the same objects as the CommonJS entry.
import cjs from './index.js'

export const { Verifier, Claims, TokenError, ConfigError, ERROR_CODES } = cjs
export default cjs
