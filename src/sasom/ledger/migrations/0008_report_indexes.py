"""The points reports' indexes (docs/performance.md B7r, docs/operations.md "Index builds").

Each new index replaces one that leads with the same columns, so a sale writes no more index
entries than before:

- ``entry_org_occurred_idx`` (organization, occurred_at, kind) INCLUDE (account, sign, amount)
  replaces ``entry_org_kind_occurred_idx``: the points movement groups a period's entries by
  kind and period, and the member points summary sums them (and the entries after its end),
  all read from the index alone; a kind's entries over time are still a range of it.
- ``lot_open_expiry_idx`` (organization, expires_on) INCLUDE (account, remaining, is_pending)
  WHERE remaining > 0 replaces ``lot_expiry_idx`` (the same key and condition): the points
  liability reads the open lots from the index alone; the expiry job still finds the due lots.

On PostgreSQL the indexes are built with ``CREATE INDEX CONCURRENTLY`` (writes go on during
the build; the migration is not atomic for that), the new one before the old is dropped
(``DROP INDEX CONCURRENTLY``); elsewhere (SQLite) plainly.
"""

from django.db import migrations, models

from sasom.core.online_index import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("ledger", "0007_sale_post_promotion_uses"),
    ]

    operations = [
        AddIndexOnline(
            model_name="entry",
            index=models.Index(fields=["organization", "occurred_at", "kind"], include=("account", "sign", "amount"),
                               name="entry_org_occurred_idx"),
        ),
        RemoveIndexOnline(model_name="entry", name="entry_org_kind_occurred_idx"),
        AddIndexOnline(
            model_name="lot",
            index=models.Index(condition=models.Q(("remaining__gt", 0)), fields=["organization", "expires_on"],
                               include=("account", "remaining", "is_pending"), name="lot_open_expiry_idx"),
        ),
        RemoveIndexOnline(model_name="lot", name="lot_expiry_idx"),
    ]
