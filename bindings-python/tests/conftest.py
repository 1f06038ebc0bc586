"""Shared fixtures: the shared vectors, and a real issuer process on a free port."""

import base64
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def load_vectors():
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        cases.extend(json.loads(path.read_text())["cases"])
    return cases


def issuer_binary() -> str:
    path = os.environ.get("GATEPASS_ISSUER_BIN") or str(ROOT / "target" / "debug" / "gatepass-issuer")
    if not os.path.exists(path):
        pytest.fail(f"issuer binary not found at {path}: run `cargo build -p gatepass-issuer` (scripts/test does)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Issuer:
    """A running `gatepass-issuer serve` with its own data directory."""

    def __init__(self, list_ttl: int = 5) -> None:
        self.list_ttl = list_ttl
        self.dir = tempfile.mkdtemp(prefix="gatepass-py-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.kek = base64.b64encode(os.urandom(32)).decode()
        self.proc = None
        self.admin = None

    def env(self):
        return {
            "PATH": os.environ.get("PATH", ""),
            "GATEPASS_DATA_DIR": self.dir,
            "GATEPASS_LISTEN": f"127.0.0.1:{self.port}",
            "GATEPASS_ISSUER_URL": self.url,
            "GATEPASS_KEK": self.kek,
            "GATEPASS_STATUS_LIST_TTL": str(self.list_ttl),
            "GATEPASS_STATUS_LIST_CAPACITY": "65536",
            # A rotated key is published 2 s before it signs (the default waits for polling verifiers).
            "GATEPASS_KEY_ACTIVATION_DELAY_SECS": "2",
        }

    def start(self) -> "Issuer":
        self.proc = subprocess.Popen([issuer_binary(), "serve"], env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("the issuer did not start")
                time.sleep(0.05)
        if self.admin is None:
            for line in self.proc.stdout:
                word = line.strip()
                if word.startswith("gp_"):
                    self.admin = word
                    break
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def cli(self, *args: str) -> str:
        return subprocess.run([issuer_binary(), *args], env=self.env(), check=True, capture_output=True, text=True).stdout

    def call(self, method: str, path: str, body=None, token=None):
        req = urllib.request.Request(f"{self.url}{path}", method=method, data=None if body is None else json.dumps(body).encode())
        req.add_header("Authorization", f"Bearer {token or self.admin}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


@pytest.fixture
def issuer():
    i = Issuer().start()
    yield i
    i.stop()


@pytest.fixture
def slow_polling_issuer():
    """An issuer whose lists verifiers re-poll only every 300 s: a fast revocation is push."""
    i = Issuer(list_ttl=300).start()
    yield i
    i.stop()
