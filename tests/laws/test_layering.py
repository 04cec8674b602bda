"""The law library sits below the features: it imports none of them, and the features
that point at laws (exams, training) reach them through ``laws``, never ``study``."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "yongxi_learn"
FEATURES = {"study", "training", "exams", "stats", "reports", "record", "home"}


def imported_packages(module: Path) -> set[str]:
    """The yongxi_learn subpackages a module imports, at any depth of its code."""
    parts = module.relative_to(PACKAGE).parent.parts
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = list(parts[: len(parts) - node.level + 1])
                names = [*base, *(node.module or "").split(".")]
                names = [n for n in names if n]
                if names:
                    found.add(names[0])
                if not node.module:  # from .. import exams
                    found.update(alias.name for alias in node.names if not base)
            elif node.module and node.module.startswith("yongxi_learn."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("yongxi_learn."):
                    found.add(alias.name.split(".")[1])
    return found


def offenders(package: str, forbidden: set[str]) -> list[str]:
    return sorted(
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in (PACKAGE / package).rglob("*.py")
        for name in imported_packages(path) & forbidden
    )


def test_the_law_library_imports_no_feature():
    assert offenders("laws", FEATURES) == []


@pytest.mark.parametrize("feature", ["exams", "training"])
def test_features_reach_the_law_library_through_laws_not_study(feature):
    assert offenders(feature, {"study"}) == []
