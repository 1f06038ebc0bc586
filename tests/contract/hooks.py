"""Schemathesis hooks for tests/contract/run: the credential the run sends.

The run revokes and rotates whatever tokens it finds, its own credential included, so the
credential is minted afresh (by the operator CLI, against the issuer's store) every couple of
seconds: a revoked credential answers 401 for a moment, never for the rest of the run.
"""

import os
import subprocess

import schemathesis


def mint() -> str:
    command = [os.environ["CONTRACT_ISSUER_BIN"], "token", "mint", "--workspace", "default",
               "--subject", os.environ.get("CONTRACT_SUBJECT", "contract"),
               "--scopes", os.environ["CONTRACT_SCOPES"], "--name", "contract run"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@schemathesis.auth(refresh_interval=2)
class FreshCredential:
    def get(self, case, ctx):
        return mint()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def filter_query(ctx, query):
    # Page cursors are opaque: only one the API returned is valid, which no schema can say.
    # Requests with a made-up cursor are left out (the API's own tests cover refusing them).
    return not (query and "cursor" in query)
