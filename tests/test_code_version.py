"""Rules carry a hash of exactly the nasmetrics modules their scripts import (transitively)."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import workflow_rules

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


def _deferred_files() -> set[str]:
    """The nasmetrics files reached through an import that runs later than its module's
    loading (inside a function or an ``if TYPE_CHECKING:`` block), and their own imports."""
    import ast

    out: set[str] = set()
    for path in (ROOT / "nasmetrics").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and id(node) not in top and node.level == 0 \
                    and (node.module or "").split(".")[0] == "nasmetrics":
                target = ROOT / (node.module.replace(".", "/") + ".py")
                out |= {str(target), *map(str, imported_files(target, ROOT))}
    return out


def test_static_imports_cover_what_python_imports():
    """The static walk finds every module a workflow script loads; beyond those, only the
    modules that nasmetrics imports later (in a function, or for type checking only: the
    metric registries do so, so that table jobs need not load torch), which a fingerprint
    counts as well because they can run."""
    import json

    proc = subprocess.run([sys.executable, "-c", RUNTIME], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=300)
    runtime = json.loads(proc.stdout)
    assert len(runtime) >= 25
    deferred = _deferred_files()
    assert str(ROOT / "nasmetrics/rnn/passes.py") in deferred
    for script, files in runtime.items():
        static = {str(p) for p in imported_files(ROOT / "workflow_scripts" / f"{script}.py",
                                                 ROOT)}
        assert set(files) <= static, script
        assert static - set(files) <= deferred, script
    # the table jobs (and the choice of a job's architectures) load no model
    for script in ("bert_archs", "ablation_figure", "bert_ablation_archs"):
        assert "nasmetrics/bert/model.py" not in " ".join(runtime[script]), script
    for script in ("rnn_archs", "rnn_shard_index", "rnn_ablation_archs"):
        assert "nasmetrics/rnn/model.py" not in " ".join(runtime[script]), script


def test_every_rule_fingerprints_its_own_script():
    """A rule's ``code`` param is the hash of the script it runs (not another rule's)."""
    rules = {name: rule for name, rule in workflow_rules().items() if rule["script"]}
    assert len(rules) >= 25
    for name, rule in rules.items():
        assert rule["code"] == rule["script"], name


def test_editing_a_module_moves_the_fingerprint_of_exactly_its_importers(tmp_path):
    """Every nasmetrics module, edited in a copy: the hash moves for exactly the workflow
    scripts that import it (the Snakemake side of this: tests/test_workflow.py)."""
    for folder in ("nasmetrics", "workflow_scripts"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    scripts = sorted((tmp_path / "workflow_scripts").glob("*.py"))
    before = {s: code_version(s, tmp_path) for s in scripts}
    imports = {s: set(imported_files(s, tmp_path)) for s in scripts}
    modules = sorted((tmp_path / "nasmetrics").rglob("*.py"))
    assert len(modules) >= 30
    for module in modules:
        original = module.read_bytes()
        module.write_bytes(original + b"\n# edited\n")
        try:
            moved = {s for s in scripts if code_version(s, tmp_path) != before[s]}
        finally:
            module.write_bytes(original)
        assert moved == {s for s in scripts if module in imports[s]}, module.name
