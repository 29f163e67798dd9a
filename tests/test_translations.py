"""The translations of every shipped language (settings.LANGUAGES but English, the source): complete,
compiled, and true to the glossaries (docs/user-guide.md, "Words").

A failure names each catalogue and the msgids it lacks, so that strings added in Thai today can be
given their Persian (and any later language) in one pass.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "sasom"
SOURCE_LANGUAGE = "en"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]
# Thai is the reference set of catalogues: every locale folder with a Thai one has one per shipped language.
LOCALE_DIRS = sorted(po.parents[2] for po in SRC.rglob("locale/th/LC_MESSAGES/django.po"))
CATALOGS = [app / language / "LC_MESSAGES" / "django.po" for language in SHIPPED for app in LOCALE_DIRS]
# One word per idea: a points word other than แต้ม reads as another thing (a score, a grade); Persian
# is written with the Persian ی and ک, never the Arabic letters that look alike.
NOT_OURS = {"th": {"คะแนน": "แต้ม", "โปรโมชัน": "โปรโมชั่น"}, "fa": {"ي": "ی", "ك": "ک"}}

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")


def _name(po: Path) -> str:
    return str(po.relative_to(SRC))


def _language(po: Path) -> str:
    return po.parents[1].name


def _compiled(po: Path, into: Path) -> dict[object, str]:
    """The catalogue of ``po`` as msgfmt compiles it now (untranslated and fuzzy entries left out)."""
    subprocess.run(["msgfmt", "-o", str(into), str(po)], check=True, capture_output=True)
    with into.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _msgids(catalog: dict[object, str]) -> set[str]:
    """The msgids of a compiled catalogue (a plural's forms count once; the header is no message)."""
    keys = {key[0] if isinstance(key, tuple) else key for key, text in catalog.items() if text}
    return {str(key) for key in keys if key}


def test_every_shipped_language_but_the_source_has_catalogues() -> None:
    assert "th" in SHIPPED and "fa" in SHIPPED
    assert len(LOCALE_DIRS) >= 15
    missing = [_name(po) for po in CATALOGS if not po.exists()]
    assert not missing, f"catalogues to create (copy the Thai one's msgids): {missing}"


@pytest.mark.parametrize("po", CATALOGS, ids=_name)
def test_every_message_is_translated_and_the_compiled_catalog_is_current(po: Path, tmp_path: Path) -> None:
    if not po.exists():
        pytest.fail(f"{_name(po)} does not exist")
    stats = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
                           capture_output=True, text=True, check=True).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, f"{_name(po)}: {stats}"
    with (tmp_path / "fresh.mo").open("rb") as fresh, po.with_suffix(".mo").open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"{po.with_suffix('.mo')} is older than its .po: run msgfmt")


@pytest.mark.parametrize("po", [po for po in CATALOGS if _language(po) != "th"], ids=_name)
def test_each_catalogue_translates_every_msgid_of_its_thai_one(po: Path, tmp_path: Path) -> None:
    """Thai is where a new string lands first (the house rule); a Persian catalogue lacking one of its
    msgids is listed here, file by file."""
    thai = po.parents[2] / "th" / "LC_MESSAGES" / "django.po"
    wanted = _msgids(_compiled(thai, tmp_path / "th.mo"))
    have = _msgids(_compiled(po, tmp_path / "other.mo")) if po.exists() else set()
    missing = sorted(wanted - have)
    assert not missing, f"{_name(po)} lacks {len(missing)} msgid(s) of {_name(thai)}:\n" + "\n".join(missing)


@pytest.mark.parametrize("po", CATALOGS, ids=_name)
def test_the_words_follow_the_glossary(po: Path) -> None:
    if not po.exists():
        pytest.fail(f"{_name(po)} does not exist")
    text = po.read_text(encoding="utf-8")
    for word, ours in NOT_OURS.get(_language(po), {}).items():
        assert word not in text, f"{_name(po)}: '{word}' where the glossary says '{ours}'"


@pytest.fixture(scope="module")
def marked_strings(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every marked string of the code and templates (Django's makemessages, on a copy)."""
    copy = tmp_path_factory.mktemp("extract") / "sasom"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("*.po", "*.mo", "__pycache__"))
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "th", "-v", "0",
                    "--settings", "sasom.settings"], cwd=copy, check=True, capture_output=True)
    wanted: set[str] = set()
    for po in copy.rglob("django.po"):
        english = subprocess.run(["msgen", str(po)], check=True, capture_output=True).stdout
        mo = po.with_suffix(".mo")
        subprocess.run(["msgfmt", "-o", str(mo), "-"], input=english, check=True)
        with mo.open("rb") as handle:
            wanted |= _msgids(dict(gettext.GNUTranslations(handle)._catalog))
    return wanted


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_marked_for_translation_is_translated(language: str, marked_strings: set[str],
                                                           tmp_path: Path) -> None:
    """Each marked string is looked up in the language's catalogues together, as Django does at run
    time; a string missing from all of them is listed."""
    have: set[str] = set()
    for index, po in enumerate(po for po in CATALOGS if _language(po) == language and po.exists()):
        have |= _msgids(_compiled(po, tmp_path / f"{index}.mo"))
    missing = sorted(marked_strings - have)
    assert len(marked_strings) > 1000
    assert not missing, f"{len(missing)} strings without {language}:\n" + "\n".join(missing)
