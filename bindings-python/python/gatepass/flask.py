"""Flask integration (no hard dependency on Flask until imported).

    import gatepass, gatepass.flask
    from flask import Flask, g

    app = Flask(__name__)
    gatepass.flask.init_app(app, gatepass.Verifier("https://issuer.example"))

    @app.get("/items")
    @gatepass.flask.require_token(scopes=["user:read"])
    def items():
        return {"user": g.gatepass.subject}

Failures answer 401 (`invalid_token`) or 403 (`insufficient_scope`, `wrong_workspace`) with
`WWW-Authenticate` (RFC 6750) and an `application/problem+json` body (RFC 9457).
"""

import functools
from typing import Any, Callable, Optional, Sequence, TypeVar, cast

from flask import Flask, Response, current_app, g, request

from . import _http
from ._gatepass import TokenError, Verifier

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask, verifier: Verifier) -> None:
    """Makes `verifier` the one `require_token` uses for this app."""
    app.extensions["gatepass"] = verifier


def _answer(answer: _http.Answer) -> Response:
    return Response(answer.body, status=answer.status, headers=answer.headers)


def require_token(scopes: Sequence[str] = (), workspace: Optional[str] = None, verifier: Optional[Verifier] = None) -> Callable[[F], F]:
    """A view decorator: verifies the Bearer token and puts its `Claims` on `flask.g.gatepass`."""
    wanted = list(scopes)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            v = verifier or current_app.extensions.get("gatepass")
            if v is None:
                raise RuntimeError("call gatepass.flask.init_app(app, verifier) first, or pass verifier=")
            token = _http.bearer_token(request.headers.get("Authorization"))
            if token is None:
                return _answer(_http.missing_token())
            try:
                g.gatepass = v.require(token, scopes=wanted, workspace=workspace)
            except TokenError as err:
                return _answer(_http.token_failure(err, wanted))
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


__all__ = ["init_app", "require_token"]
