"""PostgreSQL only: ``sasom_sale_post2(plan jsonb)``, the fast path's function for plans of wire
format 2 (``ledger/plan_wire.py``, ``ledger/sql/sale_post2.sql``; docs/ledger.md, "Plan formats").

``sasom_sale_post(plan jsonb)`` (format 1) stays: the processes of the release before this one
call it until they are replaced, and a plan they built keeps its meaning. A later release drops it.
On SQLite nothing happens."""

from django.db import migrations


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text  # the SQL file as this release ships it

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            sql_text("sale_post2")
        )  # no parameters: "%ROWTYPE" must reach PostgreSQL as written


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sasom_sale_post2(jsonb)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_sale_path_indexes")]

    operations = [migrations.RunPython(_forward, _backward, elidable=False)]
