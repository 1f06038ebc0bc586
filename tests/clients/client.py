"""A product's backend as a user would write it: a typed client generated from the issuer's
/openapi.json (openapi-python-client), creating, listing, rotating and revoking tokens on a real
issuer. `mypy --strict` checks it against the generated package; ./run runs it."""

import os
import sys

from gatepass_issuer_client import AuthenticatedClient
from gatepass_issuer_client.api.tokens import create_token, get_token, list_tokens, revoke_token, rotate_token
from gatepass_issuer_client.models import (
    CreateRequest,
    CreateRequestScopesType0Item,
    NewToken,
    Problem,
    RotateRequest,
    TokenInfo,
    TokenPage,
)


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"openapi client (Python): {what}")


def main() -> None:
    client = AuthenticatedClient(base_url=os.environ["GATEPASS_URL"], token=os.environ["GATEPASS_ADMIN"])

    # The document lists this deployment's scopes, so the generated client knows them by name.
    scopes = [CreateRequestScopesType0Item("user:read")]
    created = create_token.sync(client=client, body=CreateRequest(name="from-python", scopes=scopes, expires_in_days=30))
    check(isinstance(created, NewToken), f"create gave {created!r}")
    assert isinstance(created, NewToken)

    page = list_tokens.sync(client=client, limit=200)
    check(isinstance(page, TokenPage) and any(t.id == created.id for t in page.tokens), "the new token is listed")

    rotated = rotate_token.sync(created.id, client=client, body=RotateRequest(grace_period_seconds=0))
    check(isinstance(rotated, NewToken), f"rotate gave {rotated!r}")
    assert isinstance(rotated, NewToken)
    check(rotated.id != created.id and rotated.token != created.token, "rotation made a new token")

    revoked = revoke_token.sync(rotated.id, client=client)
    check(isinstance(revoked, TokenInfo) and revoked.status == "revoked", f"revoke gave {revoked!r}")

    missing = get_token.sync("tok_nope", client=client)
    check(isinstance(missing, Problem) and missing.status == 404, f"a missing token gave {missing!r}")
    print("Python client: created, listed, rotated and revoked a token")


if __name__ == "__main__":
    main()
