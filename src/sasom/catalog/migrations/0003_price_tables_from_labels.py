"""A member type's price table was a free-text label (members.MemberType.price_table): each label
becomes a price table (empty, its code the label's first 20 characters) linked to the types that
named it, before members.0004 drops the label."""

from django.db import migrations


def _forward(apps, schema_editor):
    MemberType = apps.get_model("members", "MemberType")
    PriceTable = apps.get_model("catalog", "PriceTable")
    Link = apps.get_model("catalog", "PriceTableMemberType")
    for mt in MemberType.objects.exclude(price_table="").order_by("organization_id", "pk"):
        label = mt.price_table.strip()
        if not label:
            continue
        table, _ = PriceTable.objects.get_or_create(
            organization_id=mt.organization_id, code=label[:20], defaults={"name": label[:100]})
        Link.objects.get_or_create(organization_id=mt.organization_id, member_type_id=mt.pk,
                                   defaults={"table": table})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_prices"), ("members", "0003_member_retention")]

    operations = [migrations.RunPython(_forward, migrations.RunPython.noop)]
