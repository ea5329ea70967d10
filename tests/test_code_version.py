"""Rules carry a hash of exactly the nasmetrics modules their scripts import (transitively)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nasmetrics.code_version import code_version, imported_files

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def toy(tmp_path):
    pkg = tmp_path / "nasmetrics"
    write(pkg / "__init__.py", "")
    write(pkg / "a.py", "import numpy\n\ndef f():\n    from nasmetrics.b import g\n    return g\n")
    write(pkg / "b.py", "from . import c\n")
    write(pkg / "c.py", "X = 1\n")
    write(pkg / "unused.py", "")
    write(pkg / "sub" / "__init__.py", "")
    write(pkg / "sub" / "d.py", "from nasmetrics import a\n")
    script = tmp_path / "script.py"
    write(script, "import sys\nfrom nasmetrics.sub import d  # noqa\n")
    return tmp_path, script


def test_transitive_imports_with_packages_and_function_level_imports(toy):
    root, script = toy
    names = [p.relative_to(root).as_posix() for p in imported_files(script, root)]
    assert names == ["nasmetrics/__init__.py", "nasmetrics/a.py", "nasmetrics/b.py",
                     "nasmetrics/c.py", "nasmetrics/sub/__init__.py", "nasmetrics/sub/d.py"]


def test_hash_moves_with_an_imported_module_only(toy):
    root, script = toy
    before = code_version(script, root)
    (root / "nasmetrics" / "unused.py").write_text("# edited\n")
    assert code_version(script, root) == before
    (root / "nasmetrics" / "c.py").write_text("X = 2\n")
    assert code_version(script, root) != before


def test_a_missing_module_is_an_error_naming_it(toy):
    root, script = toy
    write(script, "from nasmetrics.nothere import x\n")
    with pytest.raises(ImportError, match="nasmetrics.nothere"):
        imported_files(script, root)


# In a fresh interpreter, per script: forget every nasmetrics module, run the script's
# top-level nasmetrics imports, list the nasmetrics modules Python then holds.
RUNTIME = """
import ast, json, sys
from pathlib import Path
out = {}
for script in sorted(Path("workflow_scripts").glob("*.py")):
    for name in [m for m in sys.modules if m.split(".")[0] == "nasmetrics"]:
        del sys.modules[name]
    tree = ast.parse(script.read_text())
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and "nasmetrics" in ast.unparse(node):
            exec(ast.unparse(node), {})
    out[script.stem] = sorted(sys.modules[m].__file__ for m in sys.modules
                              if m.split(".")[0] == "nasmetrics")
print(json.dumps(out))
"""


def test_static_imports_equal_what_python_imports():
    """The static walk agrees with the interpreter for every workflow script (nasmetrics has
    no function-level imports, so everything it runs is imported at load time)."""
    import json

    proc = subprocess.run([sys.executable, "-c", RUNTIME], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=300)
    runtime = json.loads(proc.stdout)
    assert len(runtime) >= 25
    for script, files in runtime.items():
        static = [str(p) for p in imported_files(ROOT / "workflow_scripts" / f"{script}.py",
                                                 ROOT)]
        assert sorted(static) == sorted(files), script
