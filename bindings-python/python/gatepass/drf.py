"""Django REST framework: an authentication class and a permission class that checks scopes.
`pip install "gatepass[drf]"` and `gatepass.django.configure(verifier)`.

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["gatepass.drf.GatepassAuthentication"],
        # so refusals are the core's problem+json answer (else DRF renders them as JSON):
        "EXCEPTION_HANDLER": "gatepass.drf.exception_handler",
    }

    from gatepass.drf import RequireScopes

    class Notes(APIView):
        permission_classes = [RequireScopes("user:read")]

        def get(self, request):
            return Response({"user": request.user.subject, "workspace": request.auth.workspace})

`GatepassAuthentication` verifies a request's Bearer token: `request.user` is a `TokenUser`
(`subject`, `workspace`, `scopes`, `claims`) and `request.auth` the `Claims`. Without a token it
steps aside (another authenticator may answer; `RequireScopes` then refuses with 401). A token that
fails is refused with 401. `RequireScopes(*scopes, workspace=None)` refuses with 403 when the token
lacks a scope or is for another workspace. With `exception_handler` the refusals are byte for byte
the answers of every other gatepass helper.
"""

from typing import Any, List, Optional, Sequence, Tuple

from django.http import HttpResponse
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from . import _http
from ._gatepass import Claims, TokenError
from .django import answer, configured_verifier


class TokenUser:
    """The user of a request authenticated by a gatepass token."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, claims: Claims) -> None:
        self.claims = claims
        self.subject = claims.subject
        self.workspace = claims.workspace
        self.scopes: List[str] = list(claims.scopes)
        self.pk = self.id = self.username = claims.subject

    def __str__(self) -> str:
        return self.subject


class GatepassRefused(APIException):
    """A refusal carrying the core's answer; `exception_handler` sends it as it is."""

    def __init__(self, refusal: _http.Answer) -> None:
        super().__init__(detail=refusal.body, code=str(refusal.status))
        self.status_code = refusal.status
        self.refusal = refusal
        self.auth_header = refusal.headers["WWW-Authenticate"]


def exception_handler(exc: Exception, context: Any) -> Optional[HttpResponse]:
    """DRF's handler, except that gatepass refusals go out as the core made them."""
    # Imported here: rest_framework.views reads the settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, GatepassRefused):
        return answer(exc.refusal)
    return drf_exception_handler(exc, context)


class GatepassAuthentication(BaseAuthentication):
    """Verifies the Bearer token with the gatepass core."""

    def authenticate(self, request: Request) -> Optional[Tuple[TokenUser, Claims]]:
        token = _http.bearer_token(request.META.get("HTTP_AUTHORIZATION"))
        if token is None:
            return None
        try:
            claims = configured_verifier().verify(token)
        except TokenError as err:
            raise GatepassRefused(_http.token_failure(err)) from None
        return TokenUser(claims), claims

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return _http.missing_token().headers["WWW-Authenticate"]


class RequireScopes(BasePermission):
    """Allows a request whose token carries every one of `scopes` (and is for `workspace`)."""

    def __init__(self, *scopes: str, workspace: Optional[str] = None) -> None:
        self.scopes: Sequence[str] = scopes
        self.workspace = workspace

    def __call__(self) -> "RequireScopes":
        # DRF instantiates each entry of `permission_classes`; an instance stands for itself.
        return self

    def has_permission(self, request: Request, view: Any) -> bool:
        token = _http.bearer_token(request.META.get("HTTP_AUTHORIZATION"))
        if token is None:
            raise GatepassRefused(_http.missing_token())
        try:
            configured_verifier().require(token, scopes=list(self.scopes), workspace=self.workspace)
        except TokenError as err:
            raise GatepassRefused(_http.token_failure(err, self.scopes)) from None
        return True


__all__ = ["GatepassAuthentication", "GatepassRefused", "RequireScopes", "TokenUser", "exception_handler"]
