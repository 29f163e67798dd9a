"""The engine is pure: the kinds may import Django's lazy translations and nothing else of Django;
the rest of the engine imports no Django at all (import-linter sees only the top package)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
ALLOWED_IN_KINDS = {"django.utils.translation", "django.utils.functional"}


def _django_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "django":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "django"}
    return found


def test_the_kinds_import_only_lazy_translations_from_django() -> None:
    modules = sorted(ENGINE.rglob("*.py"))
    assert modules
    for path in modules:
        imported = _django_imports(path)
        allowed = ALLOWED_IN_KINDS if path.parent.name == "kinds" else set()
        assert imported <= allowed, f"{path.name} imports {sorted(imported - allowed)}"
