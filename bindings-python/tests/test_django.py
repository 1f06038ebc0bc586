"""Django (middleware + view decorator) and Django REST framework (authentication + scope
permission), through Django's test client, against the same answers as the other helpers."""

import json

import pytest

django = pytest.importorskip("django")
pytest.importorskip("rest_framework")

from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="gatepass tests",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["gatepass.django.GatepassMiddleware"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["gatepass.drf.GatepassAuthentication"],
            "EXCEPTION_HANDLER": "gatepass.drf.exception_handler",
        },
    )
    django.setup()

from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

import gatepass.django as gd  # noqa: E402
from gatepass.drf import RequireScopes  # noqa: E402
from test_frameworks import CASES, GOOD, check_answers, verifier  # noqa: E402

gd.configure(verifier())


@gd.require_token(scopes=["user:read"])
def read(request):
    return JsonResponse({"user": request.gatepass.subject})


@gd.require_token(scopes=["admin:write"])
def write(request):
    return JsonResponse({"user": request.gatepass.subject})


@gd.require_token(workspace="ws_other")
def other_workspace(request):
    return JsonResponse({"user": request.gatepass.subject})


def open_view(request):
    # No decorator: the middleware alone sets request.gatepass (None without a token).
    claims = request.gatepass
    return JsonResponse({"user": claims.subject if claims else None})


class DrfRead(APIView):
    permission_classes = [RequireScopes("user:read")]

    def get(self, request):
        assert request.auth.subject == request.user.subject
        return Response({"user": request.user.subject})


class DrfWrite(APIView):
    permission_classes = [RequireScopes("admin:write")]

    def get(self, request):
        return Response({"user": request.user.subject})


class DrfOtherWorkspace(APIView):
    permission_classes = [RequireScopes(workspace="ws_other")]

    def get(self, request):
        return Response({"user": request.user.subject})


class DrfSignedIn(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user": str(request.user), "scopes": request.user.scopes})


urlpatterns = [
    path("read", read),
    path("write", write),
    path("other-workspace", other_workspace),
    path("open", open_view),
    path("drf/read", DrfRead.as_view()),
    path("drf/write", DrfWrite.as_view()),
    path("drf/other-workspace", DrfOtherWorkspace.as_view()),
    path("drf/signed-in", DrfSignedIn.as_view()),
]


class Reply:
    """A Django test response as check_answers reads one."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.content.decode()

    def json(self):
        return json.loads(self.text)


def getter(prefix):
    client = Client()

    def get(path_, token):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
        return Reply(client.get(prefix + path_, **extra))

    return get


def test_django_decorator_and_middleware():
    get = getter("")
    check_answers(get)
    assert get("/open", None).json() == {"user": None}
    assert get("/open", GOOD).json() == {"user": "user_42"}
    # The middleware refuses a token that fails, whatever the view.
    refused = get("/open", CASES["status_revoked"]["token"])
    assert refused.status_code == 401
    assert refused.text == CASES["status_revoked"]["expect"]["http"]["body"]


def test_drf_authentication_and_scope_permission():
    get = getter("/drf")
    check_answers(get)
    signed_in = get("/signed-in", GOOD)
    assert signed_in.status_code == 200
    assert signed_in.json()["user"] == "user_42"
    # IsAuthenticated without a token: 401 with the gatepass challenge (not DRF's 403).
    anonymous = get("/signed-in", None)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="gatepass"'
