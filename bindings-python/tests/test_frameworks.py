"""The FastAPI dependency and the Flask decorator, through their test clients."""

import pytest

import gatepass
from conftest import load_vectors

CASES = {c["name"]: c for c in load_vectors()}
C = CASES["eddsa_valid"]
GOOD = C["token"]
REVOKED = CASES["status_revoked"]["token"]


def verifier():
    return gatepass.Verifier.offline(issuer=C["issuer"], jwks=C["jwks"], status_lists=C["status_lists"], now=C["now"])


def check_answers(get):
    ok = get("/read", GOOD)
    assert ok.status_code == 200
    assert ok.json() == {"user": "user_42"}

    # No credentials, also an empty Bearer: 401 without an error code (RFC 6750 §3.1).
    for token in (None, ""):
        missing = get("/read", token)
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"] == 'Bearer realm="gatepass"'
        assert missing.headers["Content-Type"].startswith("application/problem+json")
        assert missing.headers["Cache-Control"] == "no-store"
        assert missing.json()["type"] == "urn:gatepass:problem:missing_token"

    # Byte for byte the answer the shared vectors hold (the core's, the issuer's, Node's).
    revoked = get("/read", REVOKED)
    want = CASES["status_revoked"]["expect"]["http"]
    assert revoked.status_code == want["status"] == 401
    assert revoked.headers["WWW-Authenticate"] == want["www_authenticate"]
    assert revoked.text == want["body"]
    assert revoked.headers["Cache-Control"] == "no-store"
    assert revoked.json()["code"] == "revoked"

    forbidden = get("/write", GOOD)
    assert forbidden.status_code == 403
    assert 'error="insufficient_scope"' in forbidden.headers["WWW-Authenticate"]
    assert 'scope="admin:write"' in forbidden.headers["WWW-Authenticate"]
    assert forbidden.json()["code"] == "insufficient_scope"

    other_ws = get("/other-workspace", GOOD)
    assert other_ws.status_code == 403
    assert other_ws.json()["code"] == "wrong_workspace"


def test_fastapi_dependency():
    fastapi = pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    import gatepass.fastapi as gf

    app = fastapi.FastAPI()
    gf.setup(app, verifier())

    @app.get("/read")
    def read(claims: gatepass.Claims = fastapi.Depends(gf.require_token(scopes=["user:read"]))):
        return {"user": claims.subject}

    @app.get("/write")
    def write(claims: gatepass.Claims = fastapi.Depends(gf.require_token(scopes=["admin:write"]))):
        return {"user": claims.subject}

    @app.get("/other-workspace")
    def other(claims: gatepass.Claims = fastapi.Depends(gf.require_token(workspace="globex"))):
        return {}

    client = TestClient(app)
    check_answers(lambda path, token: client.get(path, headers={"Authorization": f"Bearer {token}"} if token is not None else {}))


def test_flask_decorator():
    flask = pytest.importorskip("flask")
    import gatepass.flask as gfl

    app = flask.Flask(__name__)
    gfl.init_app(app, verifier())

    @app.get("/read")
    @gfl.require_token(scopes=["user:read"])
    def read():
        return {"user": flask.g.gatepass.subject}

    @app.get("/write")
    @gfl.require_token(scopes=["admin:write"])
    def write():
        return {}

    @app.get("/other-workspace")
    @gfl.require_token(workspace="globex")
    def other():
        return {}

    client = app.test_client()

    class R:
        def __init__(self, r):
            self.status_code, self.headers, self._r = r.status_code, r.headers, r
            self.text = r.get_data(as_text=True)

        def json(self):
            return self._r.get_json(force=True)

    check_answers(lambda path, token: R(client.get(path, headers={"Authorization": f"Bearer {token}"} if token is not None else {})))


def test_asgi_middleware_with_starlette():
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route
    from starlette.testclient import TestClient

    from gatepass.asgi import GatepassMiddleware, claims_of

    v = verifier()

    async def who(request):
        assert claims_of(request.scope) is request.state.gatepass
        return JSONResponse({"user": request.state.gatepass.subject})

    async def health(_request):
        return JSONResponse({"ok": True})

    def guarded(**options):
        return Starlette(routes=[Route("/", who)], middleware=[Middleware(GatepassMiddleware, verifier=v, **options)])

    app = Starlette(
        routes=[
            Route("/healthz", health),
            Mount("/read", app=guarded(scopes=["user:read"])),
            Mount("/write", app=guarded(scopes=["admin:write"])),
            Mount("/other-workspace", app=guarded(workspace="ws_other")),
        ],
        middleware=[Middleware(GatepassMiddleware, verifier=v, exclude_paths=["/healthz"])],
    )
    client = TestClient(app)

    def get(path, token):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return client.get(path + ("/" if path != "/healthz" else ""), headers=headers)

    check_answers(get)
    assert client.get("/healthz").status_code == 200, "excluded paths need no token"
