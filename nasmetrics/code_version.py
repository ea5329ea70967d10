"""Which nasmetrics sources a workflow script runs, and a hash of them.

Snakemake reruns a job when its parameters change, but it does not see the library code a
script imports. Each rule therefore carries ``code_version(script)`` as a parameter: a hash of
exactly the nasmetrics modules the script imports, followed transitively through their own
imports (function-level imports included), plus the ``__init__.py`` of every package on the
way, since importing a module runs those too. Edit one module and the dry run lists exactly the
rules whose scripts reach it.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = "nasmetrics"


def _module_file(root: Path, module: str) -> Path | None:
    """The source file of ``module`` (dotted, starting with the package) under ``root``, the
    folder that holds the package."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


# (path, module, root, source) -> what _imports found: a Snakemake run fingerprints every
# rule's script at parse time and the scripts share most modules, so each source is parsed once
_FOUND: dict[tuple[str, str | None, str, str], frozenset[str]] = {}


def _imports(path: Path, module: str | None, root: Path) -> set[str]:
    """The package's modules that ``path`` imports anywhere in its body. ``module`` is its own
    dotted name (None for a script), for relative imports."""
    source = path.read_text(encoding="utf-8")
    key = (str(path), module, str(root), source)
    if key not in _FOUND:
        _FOUND[key] = frozenset(_parse_imports(source, path, module, root))
    return set(_FOUND[key])


def _parse_imports(source: str, path: Path, module: str | None, root: Path) -> set[str]:
    tree = ast.parse(source, filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if module is None:
                    continue
                parts = module.split(".")
                if path.name != "__init__.py":
                    parts = parts[:-1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != PACKAGE:
                continue
            found.add(base)
            # "from pkg import name": name is a submodule or an attribute of pkg
            for alias in node.names:
                if _module_file(root, f"{base}.{alias.name}") is not None:
                    found.add(f"{base}.{alias.name}")
    return found


def imported_files(script: str | Path, root: str | Path) -> list[Path]:
    """Every source file of the package that running ``script`` imports, sorted. ``root`` is
    the folder that holds the package (the repository root)."""
    root = Path(root)
    todo = list(_imports(Path(script), None, root))
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        parts = module.split(".")
        # importing a.b.c runs a/__init__.py and a/b/__init__.py first
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name in seen:
                continue
            path = _module_file(root, name)
            if path is None:
                raise ImportError(f"{script}: imports {module}, which has no file under {root}")
            seen.add(name)
            todo.extend(_imports(path, name, root) - seen)
    return sorted(_module_file(root, m) for m in seen)


def code_version(script: str | Path, root: str | Path) -> str:
    """A short hash of the names and contents of :func:`imported_files`."""
    root = Path(root)
    h = hashlib.sha256()
    for f in imported_files(script, root):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
