"""The ledger's SQL (PostgreSQL functions), kept as ``.sql`` files and loaded by migrations."""

from __future__ import annotations

from importlib import resources


def sql_text(name: str) -> str:
    """The text of ``ledger/sql/<name>.sql``."""
    return resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
