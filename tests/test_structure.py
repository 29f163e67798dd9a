"""The shape of the source tree, as docs and CONVENTIONS.md ask for it.

* A source file (not a test, not a migration) stays under ~400 lines; past that it is split by
  concern. A file that has a reason to stay longer is listed in :data:`LONG_FILES_ALLOWED` with
  that reason.
* An import of a ``sasom`` module that is not at the top of its module (inside a function, a
  class, or a conditional) says why on the line above, or at the end of its line. A run of such
  imports one after the other shares the comment above the first. ``if TYPE_CHECKING:`` imports
  need none.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sasom"
MAX_LINES = 400

# path under src/sasom -> why it may be longer than MAX_LINES
LONG_FILES_ALLOWED: dict[str, str] = {}

# path under src/sasom -> why its function-level imports are not commented yet
LAZY_IMPORTS_ALLOWED: dict[str, str] = {}


def _source_files() -> list[Path]:
    return sorted(
        p for p in SRC.rglob("*.py")
        if "tests" not in p.relative_to(SRC).parts and "migrations" not in p.relative_to(SRC).parts
    )


def _name(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_source_files_stay_under_the_line_limit() -> None:
    too_long = {
        _name(p): n for p in _source_files()
        if (n := _line_count(p)) > MAX_LINES and _name(p) not in LONG_FILES_ALLOWED
    }
    assert not too_long, (
        f"Split these files by concern (over {MAX_LINES} lines), or list them in "
        f"LONG_FILES_ALLOWED with the reason: {too_long}"
    )


def test_long_files_allowed_are_real_and_explained() -> None:
    for name, reason in LONG_FILES_ALLOWED.items():
        path = SRC / name
        assert path.is_file(), f"LONG_FILES_ALLOWED names a missing file: {name}"
        assert reason.strip(), f"LONG_FILES_ALLOWED[{name!r}] needs a reason"
        assert _line_count(path) > MAX_LINES, f"{name} is no longer over {MAX_LINES} lines: remove it from LONG_FILES_ALLOWED"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_sasom(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "sasom"
    return any(alias.name.split(".")[0] == "sasom" for alias in node.names)


def _nested_import_runs(tree: ast.Module) -> list[list[ast.Import | ast.ImportFrom]]:
    """Runs of consecutive import statements below the module's top level (one run per body)."""
    runs: list[list[ast.Import | ast.ImportFrom]] = []

    def visit_body(body: list[ast.stmt], nested: bool) -> None:
        run: list[ast.Import | ast.ImportFrom] = []
        for stmt in [*body, None]:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                run.append(stmt)
                continue
            if run and nested:
                runs.append(run)
            run = []
            if stmt is None:
                break
            type_checking = isinstance(stmt, ast.If) and _is_type_checking(stmt)
            for field in ("orelse", "finalbody") if type_checking else ("body", "orelse", "finalbody"):
                children = getattr(stmt, field, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.stmt):
                    visit_body(children, nested=True)
            for holder in [*getattr(stmt, "handlers", []), *getattr(stmt, "cases", [])]:
                visit_body(holder.body, nested=True)

    visit_body(tree.body, nested=False)
    return runs


def _comments_by_line(text: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string
    return found


def _says_why(comment: str | None) -> bool:
    """A comment with words in it, not only a ``noqa`` or ``type: ignore`` marker."""
    if not comment:
        return False
    text = comment.lstrip("#").strip()
    return bool(text) and not text.startswith(("noqa", "type: ignore", "isort", "fmt:"))


def _uncommented_lazy_imports(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    comments = _comments_by_line(text)
    missing = []
    for run in _nested_import_runs(ast.parse(text)):
        first = run[0].lineno
        above = lines[first - 2].strip() if first >= 2 else ""
        run_explained = above.startswith("#") and _says_why(above)
        for node in run:
            if not _imports_sasom(node) or run_explained:
                continue
            if not any(_says_why(comments.get(n)) for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
                missing.append(f"{_name(path)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return missing


def test_function_level_sasom_imports_say_why() -> None:
    missing = [
        line for p in _source_files() if _name(p) not in LAZY_IMPORTS_ALLOWED
        for line in _uncommented_lazy_imports(p)
    ]
    assert not missing, (
        "Move these imports to the top of their module, or say on the line above why they are "
        "imported late (an import cycle, app loading order, a heavy optional dependency):\n"
        + "\n".join(missing)
    )


def test_lazy_imports_allowed_are_real_and_explained() -> None:
    for name, reason in LAZY_IMPORTS_ALLOWED.items():
        path = SRC / name
        assert path.is_file(), f"LAZY_IMPORTS_ALLOWED names a missing file: {name}"
        assert reason.strip(), f"LAZY_IMPORTS_ALLOWED[{name!r}] needs a reason"
        assert _uncommented_lazy_imports(path), f"{name} has no uncommented lazy import left: remove it from LAZY_IMPORTS_ALLOWED"
