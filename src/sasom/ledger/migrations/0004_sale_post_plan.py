"""PostgreSQL only: ``sasom_sale_post(plan jsonb)`` replaces the 38-argument function of 0002.

The function's SQL lives in ``ledger/sql/sale_post.sql`` (loaded here as django-hordak loads
its SQL); it persists a plan built by ``ledger.plan.sale_plan``. On SQLite nothing happens.
"""

from django.db import migrations

OLD_SIGNATURE = (
    "sasom_sale_post(bigint, bigint, bigint, varchar, varchar, timestamptz, timestamptz, bigint, boolean, "
    "varchar, varchar, varchar, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric, bigint, "
    "numeric, jsonb, varchar, varchar, integer, integer[], varchar[], varchar[], varchar[], numeric[], "
    "numeric[], numeric[], numeric[], jsonb, date, timestamptz, boolean)"
)


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}")
        cursor.execute(sql_text("sale_post"))  # no parameters: "%ROWTYPE" must reach PostgreSQL as written


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    import importlib

    old = importlib.import_module("sasom.ledger.migrations.0002_pg_sale_post")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS sasom_sale_post(jsonb)")
        cursor.execute(old.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_drop_covered_indexes")]

    operations = [migrations.RunPython(_forward, _backward, elidable=False)]
