"""Django: a middleware that reads Bearer tokens and a view decorator that requires them.
(Django REST framework: see `gatepass.drf`.) `pip install "gatepass[django]"`.

    # settings.py (or an AppConfig.ready): the verifier every helper uses
    import gatepass, gatepass.django
    gatepass.django.configure(gatepass.Verifier("https://issuer.example"))
    MIDDLEWARE = [..., "gatepass.django.GatepassMiddleware"]

    # views.py
    from gatepass.django import require_token

    @require_token(scopes=["user:read"])
    def notes(request):
        return JsonResponse({"user": request.gatepass.subject})

- The middleware (optional) sets `request.gatepass` to the verified `Claims` of a request's Bearer
  token, or None when it has none; a token that does not verify is refused at once (401).
- `require_token(scopes, workspace)` refuses a request without a token (401), with a token that
  fails (401) or lacks a scope or is for another workspace (403), and otherwise sets
  `request.gatepass` before the view runs. It works with or without the middleware.

Refusals are the core's one answer (docs/protocol.md#answering-a-failed-token):
`WWW-Authenticate` (RFC 6750), a problem+json body, `Cache-Control: no-store`.
"""

import functools
from typing import Any, Callable, Optional, Sequence, TypeVar, cast

from django.http import HttpRequest, HttpResponse

from . import _http
from ._gatepass import Claims, TokenError, Verifier

F = TypeVar("F", bound=Callable[..., Any])

_verifier: Optional[Verifier] = None


def configure(verifier: Verifier) -> None:
    """Makes `verifier` the one the middleware, `require_token` and `gatepass.drf` use."""
    global _verifier
    _verifier = verifier


def configured_verifier() -> Verifier:
    """The verifier given to `configure`."""
    if _verifier is None:
        raise RuntimeError("call gatepass.django.configure(verifier) first (in settings.py or AppConfig.ready)")
    return _verifier


def answer(refusal: _http.Answer) -> HttpResponse:
    """The Django response for a refusal, its bytes as the core made them."""
    response = HttpResponse(refusal.body, status=refusal.status, content_type=refusal.headers["Content-Type"])
    for name, value in refusal.headers.items():
        response[name] = value
    return response


def bearer_token(request: HttpRequest) -> Optional[str]:
    """The request's Bearer token, or None."""
    return _http.bearer_token(request.META.get("HTTP_AUTHORIZATION"))


class GatepassMiddleware:
    """Sets `request.gatepass` (Claims, or None without a token); refuses a token that fails."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bearer_token(request)
        claims: Optional[Claims] = None
        if token is not None:
            try:
                claims = configured_verifier().verify(token)
            except TokenError as err:
                return answer(_http.token_failure(err))
        setattr(request, "gatepass", claims)
        return self.get_response(request)


def require_token(
    scopes: Sequence[str] = (), workspace: Optional[str] = None, verifier: Optional[Verifier] = None
) -> Callable[[F], F]:
    """A view decorator: the request must carry a token that passes `require(token, scopes, workspace)`."""
    wanted = list(scopes)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            token = bearer_token(request)
            if token is None:
                return answer(_http.missing_token())
            try:
                claims = (verifier or configured_verifier()).require(token, scopes=wanted, workspace=workspace)
            except TokenError as err:
                return answer(_http.token_failure(err, wanted))
            setattr(request, "gatepass", claims)
            return view(request, *args, **kwargs)

        return cast(F, wrapper)

    return decorate


__all__ = ["GatepassMiddleware", "answer", "bearer_token", "configure", "configured_verifier", "require_token"]
