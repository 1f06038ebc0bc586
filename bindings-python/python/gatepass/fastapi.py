"""FastAPI integration (no hard dependency on FastAPI until imported).

    import gatepass, gatepass.fastapi
    from fastapi import Depends, FastAPI

    app = FastAPI()
    gatepass.fastapi.setup(app, gatepass.Verifier("https://issuer.example"))

    @app.get("/items")
    def items(claims: gatepass.Claims = Depends(gatepass.fastapi.require_token(scopes=["user:read"]))):
        return {"user": claims.subject}

Failures answer 401 (`invalid_token`) or 403 (`insufficient_scope`, `wrong_workspace`) with
`WWW-Authenticate` (RFC 6750) and an `application/problem+json` body (RFC 9457).
"""

from typing import Callable, Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import _http
from ._gatepass import Claims, TokenError, Verifier


class GatepassAuthError(Exception):
    """Raised by `require_token`; `setup` turns it into the 401/403 answer."""

    def __init__(self, answer: _http.Answer) -> None:
        super().__init__(f"HTTP {answer.status}")
        self.status = answer.status
        self.headers = answer.headers
        self.body = answer.body


async def _handle(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatepassAuthError)
    return Response(exc.body, status_code=exc.status, headers=exc.headers)


def setup(app: FastAPI, verifier: Verifier) -> None:
    """Stores `verifier` on `app.state.gatepass` and installs the error handler."""
    app.state.gatepass = verifier
    app.add_exception_handler(GatepassAuthError, _handle)


def require_token(
    scopes: Sequence[str] = (), workspace: Optional[str] = None, verifier: Optional[Verifier] = None
) -> Callable[[Request], Claims]:
    """A dependency returning the verified `Claims` of the request's Bearer token."""
    wanted = list(scopes)

    def dependency(request: Request) -> Claims:
        v = verifier or getattr(request.app.state, "gatepass", None)
        if v is None:
            raise RuntimeError("call gatepass.fastapi.setup(app, verifier) first, or pass verifier=")
        token = _http.bearer_token(request.headers.get("authorization"))
        if token is None:
            raise GatepassAuthError(_http.missing_token())
        try:
            return v.require(token, scopes=wanted, workspace=workspace)
        except TokenError as err:
            raise GatepassAuthError(_http.token_failure(err, wanted)) from None

    return dependency


__all__ = ["GatepassAuthError", "require_token", "setup"]
