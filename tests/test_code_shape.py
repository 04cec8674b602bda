"""Sweeps over the source that keep each shared piece in one place: the acting user of
a request, the flashing of a form's errors, no hook for tests in production code, and
test modules that share helpers through fixtures or helper modules, never each other."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "yongxi_learn"
TESTS = ROOT / "tests"


def sources(root: Path):
    for path in sorted(root.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_the_request_actor_is_built_in_one_place():
    built = re.compile(r"\bActor\((user=)?current_user\b")
    places = {
        str(path.relative_to(PACKAGE))
        for path, text in sources(PACKAGE)
        if built.search(text) or re.search(r"^def _?actor\(\)", text, re.MULTILINE)
    }
    assert places == {"org/actors.py"}


def test_form_errors_are_flashed_by_one_function():
    defined = {
        str(path.relative_to(PACKAGE))
        for path, text in sources(PACKAGE)
        if re.search(r"^def \w*flash\w*errors\(", text, re.MULTILINE)
    }
    assert defined == {"core/forms.py"}


def test_production_code_has_no_hook_for_tests():
    hooks = re.compile(r"pause_for_fault_tests|TEST_GRADING_PAUSE|core\.faults")
    found = [str(p.relative_to(ROOT)) for p, text in sources(PACKAGE) if hooks.search(text)]
    assert found == []
    assert not (PACKAGE / "core" / "faults.py").exists()


def test_no_test_module_imports_another():
    found = []
    for path, text in sources(TESTS):
        name = str(path.relative_to(TESTS))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            if any(m.rpartition(".")[2].startswith("test_") for m in modules):
                found.append(name)
    assert sorted(set(found)) == []


def test_enums_with_labels_share_one_base():
    """A member's label comes from core.labels.LabelledEnum, not a label property of each enum."""
    found = []
    for path, text in sources(PACKAGE):
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ClassDef) or node.name == "LabelledEnum":
                continue
            bases = {ast.unparse(base) for base in node.bases}
            labelled = any(
                isinstance(item, ast.FunctionDef) and item.name == "label" for item in node.body
            )
            if labelled and any("Enum" in base for base in bases):
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert found == []
