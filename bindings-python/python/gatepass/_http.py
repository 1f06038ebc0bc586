"""What the framework helpers share: reading a Bearer token and shaping the RFC 6750 +
RFC 9457 answer for a TokenError. The 401/403 decision is the core's (`TokenError.status`)."""

from typing import Dict, Optional, Sequence, Tuple

from ._gatepass import TokenError

PROBLEM_JSON = "application/problem+json"


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.lstrip(" ")


def missing_token() -> Tuple[int, Dict[str, str], Dict[str, object]]:
    """401 for a request without a Bearer token (RFC 6750 §3.1: no error code)."""
    body = {
        "type": "urn:gatepass:problem:missing_token",
        "title": "Authentication required",
        "status": 401,
        "detail": 'send a gatepass token as "Authorization: Bearer <token>"',
    }
    return 401, {"WWW-Authenticate": "Bearer", "Content-Type": PROBLEM_JSON}, body


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\\", "'")


def token_failure(err: TokenError, scopes: Sequence[str] = ()) -> Tuple[int, Dict[str, str], Dict[str, object]]:
    """Status, headers and problem+json body for a failed `require`."""
    if err.status == 403:
        error = "insufficient_scope"
        www = f'Bearer error="insufficient_scope", error_description="{_quote(str(err))}"'
        if scopes:
            www += f', scope="{_quote(" ".join(scopes))}"'
        title = "Insufficient scope"
    else:
        error = "invalid_token"
        www = f'Bearer error="invalid_token", error_description="{_quote(str(err))}"'
        title = "Invalid token"
    body = {
        "type": f"urn:gatepass:problem:{error}",
        "title": title,
        "status": err.status,
        "detail": f"{err} ({err.code})",
        "code": err.code,
    }
    return err.status, {"WWW-Authenticate": www, "Content-Type": PROBLEM_JSON}, body
