"""Verify gatepass API tokens locally: signature, claims, expiry and revocation, in microseconds.

    v = gatepass.Verifier("https://issuer.example", audience="api")
    claims = v.require(token, scopes=["user:read"], workspace="ws_acme")

Every behaviour lives in the Rust core (the same one the Rust and Node SDKs use); this
package only exposes it.
"""

from ._gatepass import (
    ERROR_CODES,
    BadSignature,
    Claims,
    ConfigError,
    ExpiredToken,
    InsufficientScope,
    MalformedToken,
    NotYetValid,
    PushStatus,
    RevokedToken,
    StatusUnavailable,
    TokenError,
    UnknownKey,
    UnsupportedAlgorithm,
    Verifier,
    WrongAudience,
    WrongIssuer,
    WrongType,
    WrongWorkspace,
    __version__,
)

__all__ = [
    "ERROR_CODES",
    "BadSignature",
    "Claims",
    "ConfigError",
    "ExpiredToken",
    "InsufficientScope",
    "MalformedToken",
    "NotYetValid",
    "PushStatus",
    "RevokedToken",
    "StatusUnavailable",
    "TokenError",
    "UnknownKey",
    "UnsupportedAlgorithm",
    "Verifier",
    "WrongAudience",
    "WrongIssuer",
    "WrongType",
    "WrongWorkspace",
    "__version__",
]
