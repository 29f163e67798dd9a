"""The fast path's function again, now storing a promoted sale's POS promotion uses and checking
their budgets and per-member limits (PostgreSQL only). Its answer gains a column (the promotion
that refused the sale), so the old function is dropped first."""

from django.db import migrations


def _function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text  # the SQL file as this release ships it

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS sasom_sale_post(jsonb)")
        cursor.execute(sql_text("sale_post"))


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_sale_line_promotions'),
        ('promotions', '0001_initial'),  # the function writes its uses and counts
    ]

    operations = [migrations.RunPython(_function, migrations.RunPython.noop, elidable=False)]
