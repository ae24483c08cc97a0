"""The hedgerow vocabulary: enums and frozen dataclasses, no pandas and no I/O."""

from hedgerow.domain.enums import Mode, Period, ScopeType, Severity, SignalKind, TableName

__all__ = ["Mode", "Period", "ScopeType", "Severity", "SignalKind", "TableName"]
