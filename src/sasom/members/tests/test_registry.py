"""What the apps above members register: export sections, erasers, the purchases source."""

from __future__ import annotations

import io
import zipfile

from sasom.core.audit import Actor
from sasom.members import registry
from sasom.members.privacy import export_as_csv_zip, member_data_export
from sasom.members.services import member_anonymize


def test_export_sections_come_from_the_apps_in_order(member):
    data = member_data_export(member)
    assert list(data) == [
        "format_version", "exported_at", "organization", "profile", "cards", "consents", "code_history",
        "points", "entries", "sales", "tier_history", "redemptions", "coupons",
    ]
    names = zipfile.ZipFile(io.BytesIO(export_as_csv_zip(data))).namelist()
    assert names == [f"{n}.csv" for n in ("profile", "cards", "consents", "code_history", "points", "entries",
                                           "sales", "sale_lines", "tier_history", "redemptions", "coupons")]


def test_a_registered_exporter_and_eraser_run(member):
    # given an app that keeps something about members
    erased: list[registry.ErasureSubject] = []
    registry.register_exporter("test_section", lambda m: [{"code": m.code}])
    registry.register_eraser(erased.append)
    try:
        # when the member's data is exported, then erased
        data = member_data_export(member)
        phone = member.phone
        member_anonymize(member=member, actor=Actor.system("test"))
    finally:
        registry._exporters.pop("test_section")
        registry._erasers.remove(erased.append)
    # then its section is in the export and it was told whom to forget
    assert data["test_section"] == [{"code": member.code}]
    assert [(s.member_id, s.phone) for s in erased] == [(member.pk, phone or "")]


def test_the_ledger_is_the_purchases_source():
    from sasom.ledger.member_data import members_bought_since, purchases_between

    source = registry.purchases_source()
    assert source is not None
    assert (source.between, source.buyers_since) == (purchases_between, members_bought_since)
