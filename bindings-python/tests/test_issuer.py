"""Against the real issuer binary: mint, verify, revoke, rotate keys, issuer down, staleness."""

import base64
import json
import time

import pytest

import gatepass


def mint(issuer, **body):
    status, created = issuer.call("POST", "/v1/tokens", {"name": "py", "scopes": ["user:read"], **body})
    assert status == 201, created
    return created


def test_mint_verify_revoke(issuer):
    created = mint(issuer)
    v = gatepass.Verifier(issuer.url)
    claims = v.require(created["token"], scopes=["user:read"], workspace="default")
    assert claims.token_id == created["id"]
    with pytest.raises(gatepass.InsufficientScope):
        v.require(created["token"], scopes=["admin:write"])
    assert issuer.call("POST", f"/v1/tokens/{created['id']}/revoke", {})[0] == 200
    v.refresh()
    with pytest.raises(gatepass.RevokedToken):
        v.verify(created["token"])


def test_key_rotation_old_and_new_tokens_verify(issuer):
    v = gatepass.Verifier(issuer.url, unknown_key_cooldown=0)
    old = mint(issuer)["token"]
    new_kid = issuer.cli("keys", "rotate").strip()
    deadline = time.time() + 10
    while True:  # the running issuer picks up the CLI's key within seconds
        new = mint(issuer)["token"]
        header = json.loads(base64.urlsafe_b64decode(new[3:].split(".")[0] + "=="))
        if header["kid"] == new_kid:
            break
        assert time.time() < deadline
        time.sleep(0.3)
    v.refresh()
    assert v.verify(old).token_id
    assert v.verify(new).token_id
    assert new_kid in v.key_ids


def test_issuer_down_keeps_last_good_data_then_fails_closed(issuer):
    token = mint(issuer)["token"]
    v = gatepass.Verifier(issuer.url, max_staleness=2, http_timeout=1)
    fail_open = gatepass.Verifier(issuer.url, max_staleness=2, http_timeout=1, danger_fail_open_when_stale=True)
    assert v.verify(token).subject == "admin"
    issuer.stop()
    with pytest.raises(gatepass.ConfigError):
        v.refresh(timeout=3)
    assert v.verify(token).subject == "admin", "last good data, within the staleness limit"
    time.sleep(3.5)  # staleness is counted in whole seconds: now - confirmed > 2
    with pytest.raises(gatepass.StatusUnavailable):
        v.verify(token)
    assert fail_open.verify(token).subject == "admin", "the explicit fail-open option accepts it"


def test_startup_error_says_what_failed():
    with pytest.raises(gatepass.ConfigError, match="gatepass-configuration"):
        gatepass.Verifier("http://127.0.0.1:9", startup_timeout=1)
