"""Fetch one input from its canonical URL (or a local mirror) and verify its SHA-256.

The file is written next to its destination under a temporary name, hashed, and only then
renamed into place: a wrong hash leaves nothing under the final name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
from pathlib import Path

from nasmetrics.atomic import atomic_path
from nasmetrics.sources import SOURCES


class ChecksumError(RuntimeError):
    pass


def sha256_of(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def resolve_mirror(configured: str | None) -> str:
    """The mirror to copy from: the config value, else $NASMETRICS_MIRROR, else "" (download).

    A mirror that is named but is not a folder is an error naming where it came from.
    """
    mirror = configured or os.environ.get("NASMETRICS_MIRROR", "")
    if mirror and not Path(mirror).is_dir():
        key = "config key 'mirror'" if configured else "$NASMETRICS_MIRROR"
        raise FileNotFoundError(f"{key} names {mirror!r}, which is not a folder")
    return mirror


def fetch(rel: str, dest: str | os.PathLike, mirror: str | os.PathLike | None = None,
          timeout: float = 60.0) -> str:
    """Put the input ``rel`` (a key of SOURCES) at ``dest``; returns where it came from."""
    if rel not in SOURCES:
        raise KeyError(f"unknown input {rel!r}; known: {', '.join(sorted(SOURCES))}")
    src = SOURCES[rel]
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # a wrong hash raises inside: nothing is left under the final name (nasmetrics/atomic.py)
    with atomic_path(dest) as tmp:
        if mirror:
            origin = Path(mirror) / rel
            if not origin.is_file():
                raise FileNotFoundError(
                    f"mirror {mirror} has no {rel} (expected at {origin}); "
                    "unset the mirror to download it from " + src.url)
            shutil.copyfile(origin, tmp)
        else:
            origin = src.url
            with urllib.request.urlopen(src.url, timeout=timeout) as resp, open(tmp, "wb") as out:
                shutil.copyfileobj(resp, out)
        actual = sha256_of(tmp)
        if actual != src.sha256:
            raise ChecksumError(
                f"{rel}: SHA-256 mismatch (from {origin}): expected {src.sha256}, got {actual}")
    return str(origin)
