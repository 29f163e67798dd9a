"""The user guide's roles table is the grant table: a change to one without the other fails here."""

from __future__ import annotations

from pathlib import Path

from sasom.organizations.selectors import roles_markdown_table

GUIDE = Path(__file__).resolve().parents[4] / "docs" / "user-guide.md"


def test_user_guide_roles_table_matches_the_grant_table():
    expected = roles_markdown_table()
    assert expected in GUIDE.read_text(encoding="utf-8"), (
        "docs/user-guide.md, section 'Roles and permissions', must contain this table:\n\n" + expected
    )
