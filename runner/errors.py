"""The exception tree: every error a user can cause derives from LaunchspecError.

LaunchspecError            root; `exit_code` is what the CLI exits with (1 unless said)
 ├─ UsageError             wrong flags or arguments (exit 2)
 ├─ ConfigError            the project configuration file is unusable
 ├─ SpecError              specs have problems; carries every Diagnostic found
 ├─ LockfileError          the lockfile is corrupt, newer, or from another organisation
 │   └─ JournalError       a journal line is damaged (not what launchspec writes)
 ├─ LockBusyError          another apply holds the lockfile
 │   └─ LeaseLostError     the shared lease is no longer this apply's: no more launches
 ├─ StalePlanError         a saved plan no longer matches its inputs
 ├─ AmbiguousLaunchError   reconciliation cannot tell whether a launch happened
 ├─ InstallError           one of launchspec's own installed files is missing
 └─ ApiError               the API answered with an error (status, message, field errors)
     ├─ AuthError          401: the token was rejected
     ├─ NotFoundError      404
     ├─ ThrottledError     429 after the retry budget ran out
     └─ IndeterminateError a write whose outcome is unknown (cut connection, time-out, 5xx)
"""

from __future__ import annotations

from runner.diagnostics import Diagnostic, Position


class LaunchspecError(Exception):
    """Root of every error launchspec raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, pos: Position | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.pos = pos

    def __str__(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        return f"{where}{self.message}"


class UsageError(LaunchspecError):
    """The command line asked for something that cannot be done."""

    exit_code = 2


class ConfigError(LaunchspecError):
    """The project configuration file is missing a value or is malformed."""


class SpecError(LaunchspecError):
    """One or more specs have problems; `diagnostics` lists them all."""

    def __init__(self, diagnostics: list[Diagnostic], message: str | None = None):
        count = len(diagnostics)
        super().__init__(message or f"{count} problem{'s' if count != 1 else ''} found")
        self.diagnostics = diagnostics


class LockfileError(LaunchspecError):
    """The lockfile cannot be trusted as it is."""


class JournalError(LockfileError):
    """A line of the launch journal is damaged: launches in flight cannot be told apart."""


class LockBusyError(LaunchspecError):
    """Another process holds the lock on the lockfile."""


class LeaseLostError(LockBusyError):
    """The shared lease was lost, removed, or not renewed in time: no launch may be sent."""


class StalePlanError(LaunchspecError):
    """A saved plan was made from inputs that have changed since."""


class AmbiguousLaunchError(LaunchspecError):
    """The server cannot tell us whether a launch happened; a person must decide."""


class InstallError(LaunchspecError):
    """A file installed with launchspec (a schema, a starter file) is missing or unreadable."""


class ApiError(LaunchspecError):
    """The Tallyfy API answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request: str = "",
        request_id: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
        code: str | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, hint=hint)
        self.status = status
        self.request = request  # "POST /organizations/…/runs", never headers or the token
        self.request_id = request_id
        self.field_errors = field_errors or {}
        self.code = code

    def __str__(self) -> str:
        parts = [self.request + ": " if self.request else ""]
        parts.append(f"HTTP {self.status}: " if self.status else "")
        parts.append(self.message)
        for name, msgs in sorted(self.field_errors.items()):
            parts.append(f"\n  {name}: {'; '.join(msgs)}")
        if self.request_id:
            parts.append(f"\n  (X-Request-Id: {self.request_id})")
        return "".join(parts)


class AuthError(ApiError):
    """401: the token is missing, expired or rejected."""


class NotFoundError(ApiError):
    """404: the object or endpoint does not exist (or is not visible)."""


class ThrottledError(ApiError):
    """429 persisted past the retry budget."""


class IndeterminateError(ApiError):
    """A non-idempotent request may or may not have taken effect."""
