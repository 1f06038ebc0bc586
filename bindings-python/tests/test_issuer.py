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


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def revoked(v, token):
    try:
        v.verify(token)
        return False
    except gatepass.RevokedToken:
        return True


def test_revocations_are_pushed_within_a_second(slow_polling_issuer):
    issuer = slow_polling_issuer
    created = mint(issuer)
    pushed = gatepass.Verifier(issuer.url)
    polled = gatepass.Verifier(issuer.url, push=False)
    assert wait_for(lambda: pushed.push_status().connected), pushed.push_status()
    assert pushed.verify(created["token"]).token_id == created["id"]
    assert issuer.call("POST", f"/v1/tokens/{created['id']}/revoke", {})[0] == 200
    started = time.monotonic()
    assert wait_for(lambda: revoked(pushed, created["token"]), timeout=5), "not pushed (lists re-poll every 300 s)"
    print(f"revocation applied after {time.monotonic() - started:.3f} s")
    status = pushed.push_status()
    assert status.enabled and status.connected
    assert status.last_event_age is not None and status.last_event_age < 15
    assert "connected=True" in repr(status)
    # Push off: only a refresh brings it.
    assert not polled.push_status().enabled
    assert polled.verify(created["token"])
    polled.refresh()
    assert revoked(polled, created["token"])


def kid_of(token):
    header = token[3:].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def test_key_rotation_refuses_no_token(issuer):
    """Default options, tokens minted and verified continuously through `keys rotate`: the next key
    is published before it signs, so not one token is refused with unknown_key."""
    v = gatepass.Verifier(issuer.url)
    assert wait_for(lambda: v.push_status().connected)
    new_kid, unknown, on_new, total = None, 0, 0, 0
    started = time.monotonic()
    while time.monotonic() - started < 5:
        if new_kid is None and time.monotonic() - started > 0.5:
            new_kid = issuer.cli("keys", "rotate").strip()
        token = mint(issuer)["token"]
        total += 1
        try:
            v.verify(token)
            on_new += kid_of(token) == new_kid
        except gatepass.UnknownKey:
            unknown += 1
    assert unknown == 0, f"{unknown} of {total} tokens refused during the rotation"
    assert on_new > 0, "the new key never signed"
