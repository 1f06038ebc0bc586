"""A plain ASGI middleware (Starlette, Litestar, Quart, any ASGI app); no framework dependency.

    import gatepass
    from gatepass.asgi import GatepassMiddleware
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    verifier = gatepass.Verifier("https://issuer.example")
    app = Starlette(routes=[...], middleware=[
        Middleware(GatepassMiddleware, verifier=verifier, scopes=["user:read"], exclude_paths=["/healthz"]),
    ])

Every HTTP request (except `exclude_paths`) must carry a Bearer token that passes
`verifier.require(token, scopes, workspace)`; its `Claims` are then in `scope["state"]["gatepass"]`
(Starlette: `request.state.gatepass`). Failures answer 401 (`invalid_token`) or 403
(`insufficient_scope`, `wrong_workspace`) with `WWW-Authenticate` (RFC 6750) and an
`application/problem+json` body (RFC 9457), exactly as the FastAPI and Flask helpers do. For
different scopes on different routes, mount sub-applications with their own middleware.
"""

from typing import Any, Awaitable, Callable, Iterable, Mapping, MutableMapping, Optional, Sequence

from . import _http
from ._gatepass import Claims, TokenError, Verifier

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class GatepassMiddleware:
    """Verifies the Bearer token of every HTTP request with the gatepass core."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        scopes: Sequence[str] = (),
        workspace: Optional[str] = None,
        exclude_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.scopes = list(scopes)
        self.workspace = workspace
        self.exclude_paths = frozenset(exclude_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("path") in self.exclude_paths:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = _http.bearer_token(headers.get("authorization"))
        if token is None:
            await _answer(send, _http.missing_token())
            return
        try:
            claims = self.verifier.require(token, scopes=self.scopes, workspace=self.workspace)
        except TokenError as err:
            await _answer(send, _http.token_failure(err, self.scopes))
            return
        scope.setdefault("state", {})["gatepass"] = claims
        await self.app(scope, receive, send)


def claims_of(scope: Mapping[str, Any]) -> Claims:
    """The verified claims the middleware left in an ASGI scope (or a Starlette request's scope)."""
    found = scope.get("state", {}).get("gatepass")
    if not isinstance(found, Claims):
        raise LookupError("no gatepass claims here: is GatepassMiddleware in front of this route?")
    return found


async def _answer(send: Send, answer: _http.Answer) -> None:
    payload = answer.body.encode()
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()]
    raw.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


__all__ = ["GatepassMiddleware", "claims_of"]
