"""The Thai translations: complete, compiled, and true to the glossary (docs/user-guide.md, "Words")."""

from __future__ import annotations

import gettext
import shutil
import subprocess
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
