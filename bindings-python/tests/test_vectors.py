"""Every case of tests/vectors/, through the Python API (the same files Rust and Node run)."""

import pytest

import gatepass
from conftest import VECTORS, load_vectors
from gatepass import _http

CASES = load_vectors()


def build(case):
    opts = case["options"]
    return gatepass.Verifier.offline(
        issuer=case["issuer"],
        jwks=case["jwks"],
        status_lists=case["status_lists"],
        audience=opts["audience"] or None,
        leeway=opts["leeway"],
        prefix=opts["prefix"],
        now=case["now"],
        danger_fail_open_when_stale=opts["danger_fail_open_when_stale"],
    )


def test_every_vector_file_is_loaded():
    floor = int((VECTORS / "FLOOR").read_text())
    assert len(CASES) >= floor, f"only {len(CASES)} vectors; tests/vectors/FLOOR says at least {floor}"
    codes = {c["expect"]["error"] for c in CASES if "error" in c["expect"]}
    assert codes == set(gatepass.ERROR_CODES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case):
    expect = case["expect"]
    if expect.get("config_error"):
        with pytest.raises(gatepass.ConfigError):
            build(case)
        return
    verifier = build(case)
    token = case["token"]
    req = case["require"]
    for _ in range(2):  # the second call goes through the verified-token cache
        try:
            if req is None:
                claims = verifier.verify(token)
            else:
                claims = verifier.require(token, scopes=req["scopes"], workspace=req["workspace"])
        except gatepass.TokenError as err:
            assert "error" in expect, f"unexpected {err.code}: {err}"
            assert err.code == expect["error"]
            assert type(err).__doc__ == f"code `{err.code}`", "one subclass per code"
            assert err.status == (403 if err.code in ("insufficient_scope", "wrong_workspace") else 401)
            for part in token.split("."):
                if len(part) >= 8:
                    assert part not in str(err)
            # The framework helpers' answer, byte for byte the core's (and the issuer's).
            answer = _http.token_failure(err, req["scopes"] if req else ())
            http = expect["http"]
            assert (answer.status, answer.headers["WWW-Authenticate"], answer.body) == (
                http["status"],
                http["www_authenticate"],
                http["body"],
            )
            assert answer.headers["Cache-Control"] == "no-store"
            continue
        assert "claims" in expect, f"verified, expected {expect}"
        got = {
            "subject": claims.subject,
            "workspace": claims.workspace,
            "scopes": claims.scopes,
            "token_id": claims.token_id,
            "issued_at": claims.issued_at,
            "expires_at": claims.expires_at,
            "audience": claims.audience,
        }
        assert got == expect["claims"]
