"""A page's title block holds text only: markup there ends up in the browser's tab and is missing
from the page (a section once slipped into a title block and vanished from the member types page)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sasom"
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_title_blocks_hold_no_markup() -> None:
    bad = []
    for template in sorted(SRC.rglob("templates/**/*.html")):
        for block in TITLE.findall(template.read_text(encoding="utf-8")):
            if re.search(r"<[a-zA-Z/]", block):
                bad.append(f"{template.relative_to(SRC)}: {block[:80]!r}")
    assert not bad, "\n".join(bad)
