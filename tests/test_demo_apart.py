"""The demo data stays apart: it builds on every app, and no app's code imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["jiufeng", "responsibility", "complaints", "evaluations"]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_app_imports_the_demo_package():
    sources = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    assert len(sources) > 100
    importers = [
        str(path.relative_to(ROOT))
        for path in sources
        if any(module == "demo" or module.startswith("demo.") for module in imported_modules(path))
    ]
    assert importers == []


def test_no_app_keeps_a_demo_module():
    assert [str(path.relative_to(ROOT)) for app in APPS for path in (ROOT / app).rglob("demo*.py")] == []
