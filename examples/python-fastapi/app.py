"""A small service protected by gatepass: one read route, one write route.

    GATEPASS_ISSUER=http://127.0.0.1:8080 uvicorn app:app --port 8000
"""

import os

from fastapi import Depends, FastAPI

import gatepass
import gatepass.fastapi

ISSUER = os.environ.get("GATEPASS_ISSUER", "http://127.0.0.1:8080")

app = FastAPI(title="notes")
# Loads keys and status lists once, then refreshes them in the background; verify() is local.
gatepass.fastapi.setup(app, gatepass.Verifier(ISSUER))

NOTES: list[str] = []


@app.get("/notes")
def list_notes(claims: gatepass.Claims = Depends(gatepass.fastapi.require_token(scopes=["user:read"]))) -> dict[str, object]:
    return {"user": claims.subject, "workspace": claims.workspace, "notes": NOTES}


@app.post("/notes")
def add_note(text: str, claims: gatepass.Claims = Depends(gatepass.fastapi.require_token(scopes=["user:write"]))) -> dict[str, object]:
    NOTES.append(f"{claims.subject}: {text}")
    return {"added": text}
