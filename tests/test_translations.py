"""The Thai translations: complete, compiled, and true to the glossary (docs/user-guide.md, "Words")."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted((ROOT / "src" / "sasom").rglob("locale/th/LC_MESSAGES/django.po"))
# One Thai word per idea: a points word other than แต้ม reads as another thing (a score, a grade).
NOT_OURS = {"คะแนน": "แต้ม"}

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(ROOT / "src" / "sasom")))
def test_every_message_is_translated_and_the_compiled_catalog_is_current(po: Path, tmp_path: Path) -> None:
    stats = subprocess.run(["msgfmt", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
                           capture_output=True, text=True, check=True).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    with (tmp_path / "fresh.mo").open("rb") as fresh, po.with_suffix(".mo").open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"{po.with_suffix('.mo')} is older than its .po: run msgfmt")


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(ROOT / "src" / "sasom")))
def test_the_thai_words_follow_the_glossary(po: Path) -> None:
    text = po.read_text(encoding="utf-8")
    for word, ours in NOT_OURS.items():
        assert word not in text, f"{po}: '{word}' where the glossary says '{ours}'"


def _catalog(mo: Path) -> set[str]:
    """The msgids of a compiled catalog (a plural's forms count once: Thai has one)."""
    with mo.open("rb") as handle:
        keys = gettext.GNUTranslations(handle)._catalog
    return {key[0] if isinstance(key, tuple) else key for key in keys}


def test_every_string_marked_for_translation_has_a_thai_translation(tmp_path: Path) -> None:
    """Extract every marked string of the code and templates (Django's makemessages, on a copy) and
    look each up in the Thai catalogs together, as Django does at run time."""
    copy = tmp_path / "sasom"
    shutil.copytree(ROOT / "src" / "sasom", copy, ignore=shutil.ignore_patterns("*.po", "*.mo", "__pycache__"))
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "th", "-v", "0",
                    "--settings", "sasom.settings"], cwd=copy, check=True, capture_output=True)
    wanted: set[str] = set()
    for po in copy.rglob("django.po"):
        mo = po.with_suffix(".mo")
        english = subprocess.run(["msgen", str(po)], check=True, capture_output=True).stdout
        subprocess.run(["msgfmt", "-o", str(mo), "-"], input=english, check=True)
        wanted |= {key for key in _catalog(mo) if key}
    thai: set[str] = set()
    for po in CATALOGS:
        thai |= _catalog(po.with_suffix(".mo"))
    missing = sorted(wanted - thai)
    assert len(wanted) > 1000
    assert not missing, f"{len(missing)} strings without Thai: {missing[:20]}"
