"""Type stubs of the compiled core (`gatepass._gatepass`)."""

from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union, final

__version__: str
__all__ = [
    "BadSignature",
    "Claims",
    "ConfigError",
    "ERROR_CODES",
    "ExpiredToken",
    "InsufficientScope",
    "MalformedToken",
    "NotYetValid",
    "PushStatus",
    "RevokedToken",
    "StatusUnavailable",
    "TokenError",
    "UnknownKey",
    "UnsupportedAlgorithm",
    "Verifier",
    "WrongAudience",
    "WrongIssuer",
    "WrongType",
    "WrongWorkspace",
    "__version__",
    "bearer_token",
    "rejection",
]
ERROR_CODES: List[str]

class TokenError(Exception):
    """A token did not verify. `code` is one of ERROR_CODES; `status` is the HTTP status
    an API should answer with (403 for insufficient_scope and wrong_workspace, else 401)."""

    code: str
    status: int

class ConfigError(ValueError):
    """The verifier cannot be built from these inputs (or, online, could not load in time)."""

class MalformedToken(TokenError): ...
class UnsupportedAlgorithm(TokenError): ...
class UnknownKey(TokenError): ...
class BadSignature(TokenError): ...
class WrongType(TokenError): ...
class WrongIssuer(TokenError): ...
class WrongAudience(TokenError): ...
class ExpiredToken(TokenError): ...
class NotYetValid(TokenError): ...
class RevokedToken(TokenError): ...
class StatusUnavailable(TokenError): ...
class InsufficientScope(TokenError): ...
class WrongWorkspace(TokenError): ...

@final
class PushStatus:
    """The state of a verifier's push link (revocations within a second while it is up)."""

    @property
    def enabled(self) -> bool: ...
    @property
    def connected(self) -> bool: ...
    @property
    def last_event_age(self) -> Optional[float]: ...

@final
class Claims:
    """The claims of a verified token (read-only)."""

    @property
    def subject(self) -> str: ...
    @property
    def workspace(self) -> str: ...
    @property
    def scopes(self) -> List[str]: ...
    @property
    def token_id(self) -> str: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def expires_at(self) -> Optional[int]: ...
    @property
    def audience(self) -> List[str]: ...
    @property
    def issuer(self) -> str: ...
    @property
    def claims(self) -> Dict[str, Any]: ...
    def has_scope(self, scope: str) -> bool: ...

@final
class Verifier:
    """Verifies gatepass tokens locally. Thread-safe; verify() does no I/O."""

    def __new__(
        cls,
        issuer_url: str,
        *,
        audience: Union[str, Sequence[str], None] = None,
        leeway: Optional[float] = None,
        refresh_interval: Optional[float] = None,
        max_staleness: Optional[float] = None,
        http_timeout: Optional[float] = None,
        unknown_key_cooldown: Optional[float] = None,
        startup_timeout: Optional[float] = 10.0,
        usage_report_token: Optional[str] = None,
        usage_report_interval: Optional[float] = None,
        cache_size: Optional[int] = None,
        danger_fail_open_when_stale: Optional[bool] = None,
        push: Optional[bool] = None,
    ) -> "Verifier":
        """Online. Options left out (None) keep the core's defaults: leeway 60 s, refresh_interval 300 s,
        max_staleness 86400 s, http_timeout 10 s, unknown_key_cooldown 30 s, usage_report_interval 60 s,
        cache_size 10000, push on. startup_timeout None returns at once."""
    @staticmethod
    def offline(
        *,
        issuer: str,
        jwks: Union[str, bytes],
        status_lists: Optional[Mapping[str, Union[str, bytes]]] = None,
        audience: Union[str, Sequence[str], None] = None,
        leeway: Optional[float] = None,
        prefix: Optional[str] = None,
        now: Optional[int] = None,
        cache_size: Optional[int] = None,
        danger_fail_open_when_stale: Optional[bool] = None,
    ) -> "Verifier":
        """Offline. Options left out (None) keep the core's defaults: leeway 60 s, prefix "gp_",
        cache_size 10000, fail closed."""
    def verify(self, token: str) -> Claims: ...
    def require(self, token: str, scopes: Optional[Sequence[str]] = None, workspace: Optional[str] = None) -> Claims: ...
    def refresh(self, timeout: float = 10.0) -> None: ...
    def push_status(self) -> "PushStatus": ...
    def close(self) -> None: ...
    def __enter__(self) -> "Verifier": ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...
    @property
    def issuer(self) -> str: ...
    @property
    def key_ids(self) -> List[str]: ...
    @property
    def status_list_uris(self) -> List[str]: ...

def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` value, or None (no credentials)."""

def rejection(code: Optional[str], message: Optional[str], scopes: List[str]) -> Tuple[int, List[Tuple[str, str]], str]:
    """`(status, headers, body)` of the answer to a refused request; `code` None: no token was sent."""
