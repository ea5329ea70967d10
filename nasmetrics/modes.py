"""The two scoring modes, one word on both sides.

``faithful`` reproduces what the paper's code computed, defects included; ``corrected`` uses
the clean definitions (docs/rnn.md and docs/bert.md say, per side, what differs).
"""

from __future__ import annotations

from collections.abc import Iterable

MODES = ("faithful", "corrected")


def check_modes(modes: Iterable[str]) -> list[str]:
    """The modes as a list; an unknown one is an error naming the valid ones."""
    modes = list(modes)
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValueError(f"modes must be a non-empty list of {MODES}, got {modes!r}")
    return modes
