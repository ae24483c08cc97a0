"""Deterministic ids: the same inputs give the same plan, recommendation and consignment ids (pure)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stable_id(prefix: str, payload: Any) -> str:
    """``prefix-`` + 12 hex digits of the SHA-256 of ``payload`` as canonical JSON."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"
