"""A member's history page reads its entries from the index alone: (account, occurred_at, id)
replaces (account, occurred_at) (docs/performance.md, B5). Built online on PostgreSQL
(``core.online_index``: the ledger takes sales during the build)."""

from django.db import migrations, models

from sasom.core.online_index import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("ledger", "0008_report_indexes"),
    ]

    operations = [
        AddIndexOnline(
            model_name="entry",
            index=models.Index(fields=["account", "occurred_at", "id"], name="entry_account_occurred_id_idx"),
        ),
        RemoveIndexOnline(model_name="entry", name="entry_account_occurred_idx"),
    ]
