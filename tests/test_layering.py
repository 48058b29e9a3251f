"""The layering rule of DESIGN.md, checked by parsing every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"hall", "queueing", "displays", "simulation", "web"}
FORBIDDEN = {
    "queueing": {"hall", "displays", "simulation", "web"},
    "hall": {"displays", "web", "simulation"},
    "displays": {"web", "simulation"},
    "simulation": {"web", "displays"},
}
# queueing/ is pure: no I/O, clocks, randomness or concurrency even from the stdlib.
IMPURE_STDLIB = {"asyncio", "logging", "random", "time", "threading", "socket", "os", "sqlite3"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def relative_imports(path: Path) -> list[int]:
    """Lines of ``from . import x`` style imports (every import here is absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_only_import_inward(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_queueing_imports_only_the_standard_library_and_itself() -> None:
    """queueing/ is pure: the standard library minus I/O, clocks, randomness, concurrency."""
    allowed = set(sys.stdlib_module_names) - IMPURE_STDLIB | {"queueing", "__future__"}
    modules = list((ROOT / "queueing").rglob("*.py"))
    assert len(modules) >= 10  # the walk really finds the package
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) - allowed) for path in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_import_is_absolute() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for package in OURS
        for path in (ROOT / package).rglob("*.py")
        if (lines := relative_imports(path))
    }
    assert offenders == {}


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import asyncio\nfrom web.app import create_app\nfrom . import x\n")
    assert imported_roots(module) == {"asyncio", "web"}


def transaction_calls(path: Path) -> list[str]:
    """Calls that open a transaction (``db.read()``, ``db.write()``, ``reading``,
    ``unit_of_work``), found by name in the module's syntax tree."""
    names = {"read", "write", "reading", "unit_of_work"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (name in names and not node.args) or name in {"reading", "unit_of_work"}:
                found.append(f"{name}() at line {node.lineno}")
    return found


def test_web_routes_open_no_transactions_and_run_no_sql() -> None:
    """Route functions call hall/ services; transactions and SQL are hall/'s job."""
    modules = [*(ROOT / "web" / "api").glob("*.py"), *(ROOT / "web" / "pages").glob("*.py")]
    modules += [ROOT / "web" / "screens.py", ROOT / "web" / "auth.py"]
    offenders = {
        str(path.relative_to(ROOT)): [
            *sorted(imported_roots(path) & {"sqlalchemy"}),
            *transaction_calls(path),
        ]
        for path in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_transaction_checker_finds_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("async def f(db):\n    async with db.read() as s:\n        return s\n")
    assert transaction_calls(module) == ["read() at line 2"]
