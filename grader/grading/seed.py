"""The run's seed, chosen in one place for every command (no torch)."""
from __future__ import annotations

import os
import secrets


def run_seed(given: int | None = None, default: int | None = None) -> int:
    """`--seed` when given, else $TUTOR_SEED, else `default`, else a fresh one (every report
    names it, so that the run can be replayed)."""
    if given is not None:
        return given
    raw = os.environ.get("TUTOR_SEED", "").strip()
    if not raw:
        return secrets.randbelow(10**6) if default is None else default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"TUTOR_SEED must be a whole number, not {raw!r}") from None
