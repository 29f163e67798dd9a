"""Portal news: marketing writes news with a picture for some member types or tiers; a member sees
the published ones of the day meant for them, and never another's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.members.models import MemberType
from sasom.portal.models import News
from sasom.portal.news import news_for_member, news_save
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 120, 80)).save(out, "PNG")
    return out.getvalue()


def save(org, title, **kw):
    data = {"title": title, "starts_on": kw.pop("starts_on", dt.date(2026, 5, 1)), "is_published": True, **kw}
    return news_save(organization_id=org.pk, data=data, actor=SYSTEM)


def test_a_member_sees_the_published_news_of_the_day_for_their_type(org, member, member_type):
    vip = MemberType.objects.create(organization=org, code="VIP", name="VIP")
    save(org, "Songkran sale", ends_on=dt.date(2026, 5, 31))
    save(org, "VIP night", member_types=["VIP"])
    save(org, "Draft", is_published=False)
    save(org, "Next month", starts_on=dt.date(2026, 6, 1))
    save(org, "Over", starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2026, 4, 30))
    today = dt.date(2026, 5, 15)
    assert [n.title for n in news_for_member(member, today)] == ["Songkran sale"]
    other = MemberFactory(organization=org, member_type=vip, code="M-VIP", phone="+66898765432")
    assert sorted(n.title for n in news_for_member(other, today)) == ["Songkran sale", "VIP night"]
    # the last day is included, the day after is not
    assert [n.title for n in news_for_member(member, dt.date(2026, 5, 31))] == ["Songkran sale"]
    assert news_for_member(member, dt.date(2026, 6, 1))[0].title == "Next month"


def test_bad_news_is_refused_naming_the_field(org):
    for data, field in (({"title": " "}, "title"), ({"ends_on": dt.date(2026, 4, 1)}, "ends_on"),
                        ({"member_types": ["NOPE"]}, "member_types"), ({"tiers": ["GOLD"]}, "tiers")):
        with pytest.raises(DomainError) as exc:
            save(org, data.pop("title", "T"), **data)
        assert exc.value.field == field
    assert not News.objects.exists()


def test_marketing_adds_news_with_a_picture_and_the_member_reads_it(staff_client, org, member, portal, settings,
                                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    marketing = staff_client("marketing")
    page = marketing.get("/news/new/").content.decode()
    token = page.split('name="_form_token" value="')[1].split('"')[0]
    today = timezone.localdate()
    answer = marketing.post("/news/new/", {
        "title": "ลด 20% ทั้งร้าน", "body": "เฉพาะสมาชิก", "starts_on": today.isoformat(), "is_published": "on",
        "sort_order": "0", "image": SimpleUploadedFile("sale.png", png(), content_type="image/png"),
        "_form_token": token})
    assert answer.status_code == 302
    row = News.objects.get(organization=org)
    assert row.image.name.startswith("news/")
    # the news page gives the link a broadcast can carry
    assert f"/m/{org.code}/news/{row.pk}/" in marketing.get(f"/news/{row.pk}/").content.decode()
    client = portal.log_in(Client(), member)
    home = client.get(f"/m/{org.code}/").content.decode()
    assert "ลด 20% ทั้งร้าน" in home and row.image.url in home
    assert "เฉพาะสมาชิก" in client.get(f"/m/{org.code}/news/{row.pk}/").content.decode()
    # a cashier may not write news; another organization's news is not found
    assert staff_client("cashier").get("/news/").status_code == 403
    other = save(org, "Hidden", is_published=False)
    assert client.get(f"/m/{org.code}/news/{other.pk}/").status_code == 404


def test_a_picture_is_made_small_and_re_encoded_and_a_fake_one_is_refused(org, settings, tmp_path):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    big = io.BytesIO()
    Image.new("RGB", (3000, 1500), (200, 30, 30)).save(big, "PNG")
    row = news_save(organization_id=org.pk, actor=SYSTEM, data={"title": "Big", "starts_on": dt.date(2026, 5, 1)},
                    image=SimpleUploadedFile("big.png", big.getvalue(), content_type="image/png"))
    with Image.open(row.image.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1200, 600))
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(DomainError) as exc:
        news_save(organization_id=org.pk, actor=SYSTEM, data={"title": "SVG", "starts_on": dt.date(2026, 5, 1)},
                  image=SimpleUploadedFile("x.png", script, content_type="image/png"))
    assert exc.value.field == "image"
