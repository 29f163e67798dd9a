"""How the till priced each line and sale (checkout.pricing), and the fast path's function again to store it."""

from django.db import migrations, models


def _function(apps, schema_editor):
    """The fast path's function again, now storing the pricing columns (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text  # the SQL file as this release ships it

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql_text("sale_post"))


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0004_sale_post_plan'),
    ]

    operations = [
        migrations.AddField(
            model_name='sale',
            name='member_discount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='member discounts'),
        ),
        migrations.AddField(
            model_name='sale',
            name='price_flagged',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='saleline',
            name='excluded_from_points',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='saleline',
            name='list_price',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name='saleline',
            name='member_discount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
        ),
        migrations.AddField(
            model_name='saleline',
            name='price_flag',
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name='saleline',
            name='price_source',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(_function, migrations.RunPython.noop, elidable=False),
    ]
