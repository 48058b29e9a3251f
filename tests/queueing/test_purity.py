"""queueing/ is pure: it imports only the standard library (minus I/O, clocks, randomness)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "queueing"
IMPURE = {"asyncio", "logging", "random", "time", "threading", "socket", "os", "sqlite3"}
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            assert node.module is not None
            roots.add(node.module.split(".")[0])
    return roots


def test_every_module_is_checked() -> None:
    assert len(MODULES) >= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_pure_stdlib(path: Path) -> None:
    allowed = (set(sys.stdlib_module_names) - IMPURE) | {"__future__", "queueing"}
    assert imported_roots(path) - allowed == set()
