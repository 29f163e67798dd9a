from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from sasom.core.models import AuditEvent
from sasom.members.models import Card, Member, MemberType
from sasom.organizations.models import Role
from sasom.testing.factories import CardFactory, CustomFieldFactory, MemberFactory

pytestmark = pytest.mark.django_db
R = Role

# (url name, needs a member/type id, method, a role refused, a role allowed)
MATRIX = [
    ("members:create", None, "get", R.AUDITOR, R.CASHIER),
    ("members:edit", "member", "get", R.CASHIER, R.SERVICE_COUNTER),
    ("members:change_type", "member", "post", R.CASHIER, R.BRANCH_MANAGER),
    ("members:change_code", "member", "post", R.CASHIER, R.SERVICE_COUNTER),
    ("members:status", "member", "post", R.BRANCH_MANAGER, R.ADMIN),
    ("members:renew", "member", "post", R.MARKETING, R.OWNER),
    ("members:card_add", "member", "post", R.CASHIER, R.SERVICE_COUNTER),
    ("members:card_replace", "member", "post", R.AUDITOR, R.BRANCH_MANAGER),
    ("members:consent", "member", "post", R.CASHIER, R.ADMIN),
    ("members:anonymize", "member", "post", R.MARKETING, R.OWNER),
    ("members:types", None, "get", R.CASHIER, R.AUDITOR),
    ("members:type_create", None, "get", R.MARKETING, R.ADMIN),
    ("members:type_edit", "type", "get", R.BRANCH_MANAGER, R.OWNER),
    ("members:type_delete", "type", "post", R.AUDITOR, R.ADMIN),
    ("members:field_create", None, "get", R.AUDITOR, R.ADMIN),
    ("members:field_edit", "field", "get", R.MARKETING, R.OWNER),
    ("members:field_delete", "field", "post", R.CASHIER, R.ADMIN),
    ("members:lifecycle", None, "get", R.MARKETING, R.ADMIN),
    ("members:import", None, "get", R.MARKETING, R.ADMIN),
    ("members:import_template", None, "get", R.AUDITOR, R.OWNER),
    ("members:export", None, "get", R.CASHIER, R.AUDITOR),
]


@pytest.mark.parametrize(("name", "arg", "method", "refused", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_each_view_refuses_the_wrong_role_and_serves_the_right_one(staff_client, org, member, name, arg, method, refused, allowed):
    ids = {"member": member.pk, "type": member.member_type_id, "field": CustomFieldFactory(organization=org).pk if arg == "field" else None}
    kwargs = {"pk": ids[arg]} if arg else {}
    url = reverse(name, kwargs=kwargs)
    assert getattr(staff_client(refused), method)(url).status_code == 403
    assert getattr(staff_client(allowed), method)(url).status_code in (200, 302)


@pytest.mark.parametrize("name", ["members:list", "members:detail"])
def test_member_pages_are_open_to_every_role_but_not_to_a_user_without_staff(staff_client, client, django_user_model, member, name):
    url = reverse(name, kwargs={"pk": member.pk} if name == "members:detail" else {})
    for role in Role:
        assert staff_client(role).get(url).status_code == 200
    user = django_user_model.objects.create_user("outsider", password="x-very-long-pass")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(url).status_code == 403


def test_member_of_another_organization_is_not_found(staff_client, other_org):
    stranger = MemberFactory(organization=other_org)
    assert staff_client(R.ADMIN).get(reverse("members:detail", kwargs={"pk": stranger.pk})).status_code == 404


def test_anonymize_tool_on_lifecycle_page_needs_the_anonymize_permission(staff_client, member):
    # owners and admins hold both; the tool is refused to anyone holding lifecycle only (none today)
    client = staff_client(R.ADMIN)
    page = client.get(reverse("members:lifecycle"))
    assert b"tool-anonymize" in page.content


def test_cashier_registers_a_member_and_finds_them_by_phone(staff_client, member_type, branch):
    # given a cashier at branch B1
    client = staff_client(R.CASHIER)
    # when they register a member with a local phone number
    response = client.post(reverse("members:create"), {
        "phone": "089-876-5432", "first_name": "มานี", "last_name": "มีนา", "member_type": member_type.pk,
        "home_branch": branch.pk, "marketing_consent": "on", "consent_channel": "counter", "card_number": "A-77",
    })
    # then they land on the member file showing the phone and type
    member = Member.objects.get(phone="+66898765432")
    assert response.status_code == 302 and response["Location"] == reverse("members:detail", kwargs={"pk": member.pk})
    page = client.get(response["Location"]).content.decode()
    assert "+66898765432" in page and member_type.name in page
    # and the search box finds them by the phone typed another way, by card and by name
    for q in ("0898765432", "+66 89 876 5432", "A-77", member.code, "มาน", "มานี มี"):
        rows = client.get(reverse("members:list"), {"q": q}).content.decode()
        assert member.code in rows, q


def test_registration_errors_name_the_field_and_store_nothing(staff_client, member):
    client = staff_client(R.SERVICE_COUNTER)
    response = client.post(reverse("members:create"), {"phone": "+66812345678", "first_name": "ซ้ำ"})
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    response = client.post(reverse("members:create"), {"phone": "0811111111", "first_name": "x", "birth_on": "2530-02-31"})
    assert "birth_on" in response.context["form"].errors
    # every problem is named at once: a bad phone and a birth date in the future
    response = client.post(reverse("members:create"), {"phone": "081-234-5", "first_name": "x", "birth_on": "2099-01-01"})
    assert {"phone", "birth_on"} <= set(response.context["form"].errors)
    response = client.post(reverse("members:create"), {"phone": "0811111111", "first_name": "x", "code": member.code})
    assert "code" in response.context["form"].errors
    assert Member.objects.count() == 1


def test_cashier_cannot_register_into_a_branch_outside_their_scope(staff_client, member_type, branch2):
    client = staff_client(R.CASHIER)
    response = client.post(reverse("members:create"), {"phone": "0811111111", "first_name": "x", "home_branch": branch2.pk})
    assert response.status_code == 400 and "home_branch" in response.context["form"].errors


def test_change_type_from_the_member_file(staff_client, member, org):
    vip = MemberType.objects.create(organization=org, code="VIP", name="วีไอพี")
    client = staff_client(R.BRANCH_MANAGER)
    client.post(reverse("members:change_type", kwargs={"pk": member.pk}), {"member_type": vip.pk, "reason": "ยอดซื้อถึง"})
    member.refresh_from_db()
    assert member.member_type == vip
    assert "วีไอพี" in client.get(reverse("members:detail", kwargs={"pk": member.pk})).content.decode()


def test_lost_card_replacement_through_the_member_file(staff_client, member):
    card = CardFactory(member=member, number="OLD-1")
    staff_client(R.SERVICE_COUNTER).post(reverse("members:card_replace", kwargs={"pk": member.pk}),
                                         {"card": card.pk, "card_number": "NEW-1", "lost": "on"})
    assert Card.objects.get(number="NEW-1").member == member
    assert Card.objects.get(number="OLD-1").status == Card.Status.LOST


def test_member_list_query_count_is_pinned(staff_client, org, member_type, branch, django_assert_num_queries):
    client = staff_client(R.ADMIN)
    MemberFactory.create_batch(3, organization=org, member_type=member_type, home_branch=branch, first_name="สมศรี")
    # session, user, staff, organization, otp device, types, branches, count, rows
    with django_assert_num_queries(9):
        client.get(reverse("members:list"))
    # a name search: three indexed exact lookups (card, code, former code), then count and rows
    with django_assert_num_queries(10):
        client.get(reverse("members:list"), {"q": "สม"}, HTTP_HX_REQUEST="true")
    # twenty more members on the page cost no more queries
    MemberFactory.create_batch(20, organization=org, member_type=member_type, home_branch=branch, first_name="สมศรี")
    with django_assert_num_queries(9):
        response = client.get(reverse("members:list"))
    assert len(response.context["page"]) == 23
    with django_assert_num_queries(10):
        client.get(reverse("members:list"), {"q": "สม"}, HTTP_HX_REQUEST="true")


def test_member_file_without_ledger_template_shows_placeholder(staff_client, member):
    page = staff_client(R.CASHIER).get(reverse("members:detail", kwargs={"pk": member.pk}))
    assert page.context["points_template"] in (None, "ledger/_member_points.html")


def test_export_csv_and_xlsx_follow_the_filters_and_are_audited(staff_client, org, member, vip_type):
    MemberFactory(organization=org, member_type=vip_type, code="V1", phone="+66899999999", first_name="วีไอพี")
    CardFactory(member=member, number="CARD-1")
    client = staff_client(R.AUDITOR)
    response = client.get(reverse("members:export"), {"format": "csv", "type": member.member_type_id})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["code"] for r in rows] == ["M0000001"]
    assert rows[0]["phone"] == "+66812345678" and rows[0]["card_number"] == "CARD-1" and rows[0]["first_name"] == "สมชาย"
    response = client.get(reverse("members:export"), {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "code" and {v[0] for v in values[1:]} == {"M0000001", "V1"}
    events = AuditEvent.objects.filter(action="members.export").order_by("id")
    assert [e.changes["rows"][1] for e in events] == [1, 2]
    assert "สมชาย" not in str([e.changes for e in events])


def test_lifecycle_preview_then_apply_through_the_page(staff_client, org, gen_type):
    MemberFactory(organization=org, member_type=gen_type, expires_on=dt.date(2026, 1, 1))
    client = staff_client(R.ADMIN)
    url = reverse("members:lifecycle")
    preview = client.post(url, {"tool": "extend", "days": "10", "step": "preview"}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and "expected_count" in preview.content.decode()
    done = client.post(url, {"tool": "extend", "days": "10", "step": "apply", "expected_count": "1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert Member.objects.get().expires_on == dt.date(2026, 1, 11)
    missing = client.post(url, {"tool": "extend", "step": "preview"})
    assert missing.status_code == 400


def test_import_page_reports_rows(staff_client, member_type):
    client = staff_client(R.ADMIN)
    upload = SimpleUploadedFile("m.csv", "phone,first_name\n0811111111,ก\nbad,ข\n".encode())
    response = client.post(reverse("members:import"), {"file": upload})
    assert response.status_code == 400 and response.context["report"].errors[0].row == 3
    assert not Member.objects.exists()


def test_member_type_is_created_from_the_screen_and_audited(staff_client):
    client = staff_client(R.ADMIN)
    response = client.post(reverse("members:type_create"), {
        "code": "EXEC", "name": "ผู้บริหาร", "discount_percent": "20", "birthday_discount_percent": "0",
        "birthday_scope": "day", "sort_order": "1", "is_active": "on",
    })
    assert response.status_code == 302
    assert MemberType.objects.get(code="EXEC").discount_percent == 20
    assert AuditEvent.objects.filter(action="member_type.create").exists()
    bad = client.post(reverse("members:type_create"), {"code": "X", "name": "x", "discount_percent": "150",
                                                        "birthday_discount_percent": "0", "birthday_scope": "day", "sort_order": "0"})
    assert bad.status_code == 400 and "discount_percent" in bad.context["form"].errors


def test_export_does_not_let_a_name_run_as_a_formula(staff_client, org, member_type):
    MemberFactory(organization=org, member_type=member_type, first_name="=HYPERLINK(\"x\")")
    text = staff_client(R.ADMIN).get(reverse("members:export"), {"format": "csv"}).content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["first_name"].startswith("'=") and row["phone"].startswith("+66")


def test_service_counter_keeps_a_members_home_branch_outside_their_scope(staff_client, org, member, branch2):
    member.home_branch = branch2
    member.save()
    client = staff_client(R.SERVICE_COUNTER)  # works at B1 only
    response = client.post(reverse("members:edit", kwargs={"pk": member.pk}), {
        "phone": member.phone, "first_name": "สมชาย", "last_name": "ใจดีมาก", "home_branch": branch2.pk,
        "joined_on": "2026-01-01",
    })
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert member.last_name == "ใจดีมาก" and member.home_branch == branch2
    # and a joined-on date left empty is a field error, not a lost date
    response = client.post(reverse("members:edit", kwargs={"pk": member.pk}), {"phone": member.phone, "first_name": "x"})
    assert response.status_code == 400 and "joined_on" in response.context["form"].errors


def test_custom_field_defined_on_screen_appears_on_registration_and_is_validated(staff_client, org, member_type):
    admin = staff_client(R.ADMIN)
    response = admin.post(reverse("members:field_create"), {"key": "shoe_size", "label": "ไซซ์รองเท้า", "kind": "choice",
                                                              "choices": "38, 39, 40", "sort_order": "0"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="custom_field.create").exists()
    assert 'name="custom_shoe_size"' in admin.get(reverse("members:create")).content.decode()
    bad = admin.post(reverse("members:create"), {"phone": "0811111111", "first_name": "ก", "custom_shoe_size": "45"})
    assert bad.status_code == 400 and "custom_shoe_size" in bad.context["form"].errors
    ok = admin.post(reverse("members:create"), {"phone": "0811111111", "first_name": "ก", "custom_shoe_size": "39"})
    assert ok.status_code == 302 and Member.objects.get().custom == {"shoe_size": "39"}
    missing = admin.post(reverse("members:field_create"), {"key": "size", "label": "x", "kind": "choice", "sort_order": "0"})
    assert missing.status_code == 400 and "choices" in missing.context["form"].errors
