"""What the framework helpers share: reading a Bearer token and the answer for a refused request.
Both are the Rust core's (`gatepass::http`), so FastAPI, Flask, Django, ASGI, the Node helpers and
the issuer answer byte for byte alike: 401 `invalid_token` (or no error code without a token),
403 `insufficient_scope`, `WWW-Authenticate` (RFC 6750), a problem+json body (RFC 9457) and
`Cache-Control: no-store`."""

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from . import _gatepass
from ._gatepass import TokenError

PROBLEM_JSON = "application/problem+json"


class Answer(NamedTuple):
    """A refused request: send `status`, `headers` and `body` (problem+json text) as they are."""

    status: int
    headers: Dict[str, str]
    body: str


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` header, or None (no credentials)."""
    return _gatepass.bearer_token(authorization)


def missing_token() -> Answer:
    """401 for a request without a Bearer token (RFC 6750 §3.1: no error code)."""
    return _answer(_gatepass.rejection(None, None, []))


def token_failure(err: TokenError, scopes: Sequence[str] = ()) -> Answer:
    """The answer for a failed `verify` or `require`; `scopes` are the route's."""
    code = getattr(err, "code", None) or "malformed"
    return _answer(_gatepass.rejection(code, str(err), list(scopes)))


def _answer(parts: Tuple[int, List[Tuple[str, str]], str]) -> Answer:
    status, headers, body = parts
    return Answer(status, dict(headers), body)
