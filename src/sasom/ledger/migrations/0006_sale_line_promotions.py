"""The POS promotions' discount and codes on each sale line (issue 14), and the fast path's
function again to store them."""

from django.db import migrations, models


def _function(apps, schema_editor):
    """The fast path's function again, now storing the promotion columns (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text  # the SQL file as this release ships it

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql_text("sale_post"))


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_sale_pricing'),
    ]

    operations = [
        migrations.AddField(
            model_name='saleline',
            name='promotion_discount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
        ),
        migrations.AddField(
            model_name='saleline',
            name='promotions',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(_function, migrations.RunPython.noop, elidable=False),
    ]
