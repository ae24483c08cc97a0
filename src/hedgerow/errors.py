"""One exception tree for hedgerow.

Every error a user can cause is a :class:`HedgerowError`; the CLI, the REST API and the web UI turn it into a
clear message and a non-zero exit code or a 4xx response, never a traceback. Anything else that escapes is a bug.

    HedgerowError
    ├── ConfigError            hedgerow.toml is missing, malformed or has a value outside what is allowed
    ├── WorkspaceError         no workspace where one was expected, or one exists where it should not
    ├── InputFileError         a file cannot be read as a table (encoding, binary, empty, unknown format)
    ├── ValidationFailed       a table was read but breaks the data contract; carries the full report
    ├── ImportConflict         an import would lose or clash with what a table holds (a replace that drops
    │                          history without --force, an append meeting existing keys, a revert with
    │                          nothing before it)
    ├── LedgerError            the ledger database is unreachable or at an unexpected schema revision
    ├── SnapshotError          a snapshot is missing or its content no longer matches its hash
    ├── SupplyInputError       supply inputs cannot support a scenario set (no lanes, a currency without rates)
    ├── NotFound               a recommendation, plan, user, hold or export id the ledger does not hold
    ├── InvalidTransition      a decision the recommendation lifecycle does not allow from its status
    ├── PermissionDenied       the acting user's role may not do this (or the user is unknown or disabled)
    ├── TooManyAttempts        too many failed sign-ins for a user name or from an address; carries the wait
    ├── ConcurrentUpdate       someone else changed the record after it was read (optimistic locking)
    ├── SimulationInputError   a workspace cannot be replayed, or a stress or herding setting is out of range
    ├── DemandDataError        demand history cannot be modelled as given (missing columns, unknown series,
    │                          a horizon the fit does not cover); the message names the series or column
    ├── PlanningError          the inputs of a plan are missing or inconsistent (a table, a rate, a lane)
    └── RecordFormatError      a record read back from the ledger (an explanation) has a field missing or of the
                               wrong type; the message names the field
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hedgerow.contract.report import ValidationReport


class HedgerowError(Exception):
    """Base class of every error caused by input, configuration or environment rather than by a bug."""


class ConfigError(HedgerowError):
    """The workspace configuration (hedgerow.toml) is missing, malformed or out of range."""


class WorkspaceError(HedgerowError):
    """A workspace is missing where one is needed, or present where a new one should be created."""


class InputFileError(HedgerowError):
    """A file cannot be read as a table: unknown format, wrong encoding, binary content, or empty."""


class ValidationFailed(HedgerowError):
    """One or more tables break the data contract; nothing was imported.

    ``reports`` holds one report per file read (rejected and valid ones), each listing every failing row,
    column, check and value.
    """

    def __init__(self, reports: tuple[ValidationReport, ...]) -> None:
        rejected = [r for r in reports if not r.ok]
        super().__init__("\n".join(r.summary() for r in rejected))
        self.reports = reports


class ImportConflict(HedgerowError):
    """An import or revert was refused because of what the table already holds; nothing was written.

    A replace that would remove more than half a table or dates of its history needs ``--force``; an append
    whose keys are already in the table should be an upsert; a revert needs an earlier snapshot to restore.
    The message says exactly what would be lost or clashes, and the option that proceeds.
    """


class LedgerError(HedgerowError):
    """The ledger database cannot be reached or is at a schema revision this version does not know."""


class SnapshotError(HedgerowError):
    """A snapshot named by the ledger is missing from the store or its bytes do not match its hash."""


class SupplyInputError(HedgerowError):
    """The supply inputs cannot support a scenario set: e.g. no lanes, or a currency with no FX history."""


class NotFound(HedgerowError):
    """An id (recommendation, plan, user, hold, export) that the ledger does not hold."""


class InvalidTransition(HedgerowError):
    """A decision the recommendation lifecycle does not allow from the recommendation's current status."""


class PermissionDenied(HedgerowError):
    """The acting user is unknown, disabled, or has a role that may not take this action."""


class TooManyAttempts(HedgerowError):
    """Too many failed sign-ins for one user name or from one address; carries the seconds to wait."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConcurrentUpdate(HedgerowError):
    """The record changed between reading it and writing the decision; nothing was written. Reload and retry."""


class SimulationInputError(HedgerowError):
    """The simulator cannot run on these inputs: too little history, a currency without rates, a stress shock
    naming a port, supplier or currency the network does not have, or a setting out of range."""


class DemandDataError(HedgerowError):
    """Demand history or a forecasting request cannot be served as given.

    Raised for missing columns, unknown item-locations, horizons longer than the fit, or options outside what
    is allowed; the message names the series, column or option and what was received.
    """


class PlanningError(HedgerowError):
    """The inputs of a plan are missing or inconsistent: a required table, an exchange rate, a lane's times.

    An infeasible *policy* (a service floor no budget can meet) is not an error: the plan is returned as the
    best feasible one and says which settings conflict.
    """


class RecordFormatError(HedgerowError):
    """A record read back from the ledger (a stored explanation) has a required field missing or a field of the
    wrong type; the message names the field by its path, e.g. ``alternatives[1].cvar``."""
