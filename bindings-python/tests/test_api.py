"""The Python surface: exception classes, attributes, inputs, repr, threads."""

import concurrent.futures

import pytest

import gatepass
from conftest import load_vectors

CASES = {c["name"]: c for c in load_vectors()}


def offline(name, **kw):
    c = CASES[name]
    return gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], status_lists=c["status_lists"], now=c["now"], **kw), c["token"]


def test_error_classes_per_code():
    pairs = {
        "eddsa_flipped_bit": gatepass.BadSignature,
        "exp_past_leeway": gatepass.ExpiredToken,
        "status_revoked": gatepass.RevokedToken,
        "alg_none": gatepass.UnsupportedAlgorithm,
        "unknown_kid": gatepass.UnknownKey,
        "typ_jwt": gatepass.WrongType,
        "empty": gatepass.MalformedToken,
    }
    for name, cls in pairs.items():
        v, token = offline(name)
        with pytest.raises(cls) as info:
            v.verify(token)
        assert isinstance(info.value, gatepass.TokenError)
        assert info.value.code in gatepass.ERROR_CODES


def test_require_errors_are_403():
    v, token = offline("eddsa_valid")
    with pytest.raises(gatepass.InsufficientScope) as info:
        v.require(token, scopes=["admin:write"])
    assert (info.value.code, info.value.status) == ("insufficient_scope", 403)
    with pytest.raises(gatepass.WrongWorkspace):
        v.require(token, workspace="globex")
    claims = v.require(token, scopes=["user:read"], workspace="acme")
    assert claims.subject == "user_42"


def test_claims_attributes_and_repr():
    v, token = offline("eddsa_valid")
    c = v.verify(token)
    assert c.scopes == ["user:read", "user:write"]
    assert c.has_scope("user:write") and not c.has_scope("admin:read")
    assert c.expires_at is not None and c.issued_at < c.expires_at
    assert c.audience == []
    assert c.claims["status"]["status_list"]["idx"] == 17
    assert c.issuer == "https://issuer.example"
    assert "user_42" in repr(c)
    assert token.split(".")[1] not in repr(c)
    never, token = offline("never_expires")
    assert never.verify(token).expires_at is None


def test_config_errors_are_value_errors():
    c = CASES["eddsa_valid"]
    with pytest.raises(ValueError):
        gatepass.Verifier.offline(issuer=c["issuer"], jwks="not json")
    with pytest.raises(gatepass.ConfigError, match="private"):
        gatepass.Verifier.offline(issuer=c["issuer"], jwks=CASES["jwks_private_key"]["jwks"])
    with pytest.raises(TypeError):
        gatepass.Verifier.offline(issuer=c["issuer"], jwks=42)
    with pytest.raises(ValueError, match="leeway"):
        gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], leeway=-1)


def test_bytes_inputs_and_audience_forms():
    c = CASES["aud_one_of_several"]
    lists = {u: j.encode() for u, j in c["status_lists"].items()}
    v = gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"].encode(), status_lists=lists, audience=["api", "billing"], now=c["now"])
    assert v.verify(c["token"]).audience == ["billing"]
    v = gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], status_lists=c["status_lists"], audience="billing", now=c["now"])
    assert v.verify(c["token"]).subject == "user_42"


def test_offline_introspection_and_context_manager():
    c = CASES["eddsa_valid"]
    with gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], status_lists=c["status_lists"]) as v:
        assert v.issuer == "https://issuer.example"
        assert len(v.key_ids) == 2
        assert v.status_list_uris == list(c["status_lists"])
        v.refresh()  # offline: nothing to do
        assert "Verifier(" in repr(v)


def test_sixteen_threads_at_once():
    c = CASES["eddsa_valid"]
    v = gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], status_lists=c["status_lists"], now=c["now"], cache_size=0)
    tokens = [CASES[n]["token"] for n in ("eddsa_valid", "es256_valid", "status_revoked", "eddsa_s_plus_l")]

    def work(i):
        out = []
        for j in range(200):
            t = tokens[(i + j) % len(tokens)]
            try:
                out.append(v.verify(t).token_id)
            except gatepass.TokenError as e:
                out.append(e.code)
        return out

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))
    flat = [x for r in results for x in r]
    assert set(flat) == {"tok_01JQ8Z6V4W0Y7X3M2N1P9R5S6T", "revoked", "bad_signature"}
    assert len(flat) == 16 * 200


def test_options_left_out_keep_the_core_defaults_and_bad_ones_are_config_errors():
    from conftest import load_vectors

    c = next(c for c in load_vectors() if c["name"] == "eddsa_valid")
    # Nothing but the inputs: the core's defaults (prefix gp_, leeway 60 s) apply.
    v = gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], status_lists=c["status_lists"], now=c["now"])
    assert v.verify(c["token"]).subject
    # The core checks durations for every binding alike: a ConfigError (a ValueError) naming the option.
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(gatepass.ConfigError, match="leeway must be a non-negative number of seconds"):
            gatepass.Verifier.offline(issuer=c["issuer"], jwks=c["jwks"], leeway=bad)
