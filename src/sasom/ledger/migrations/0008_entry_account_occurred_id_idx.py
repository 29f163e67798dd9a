"""A member's history page reads its entries from the index alone: (account, occurred_at, id)
replaces (account, occurred_at) (docs/performance.md, B5)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0007_sale_post_promotion_uses"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["account", "occurred_at", "id"], name="entry_account_occurred_id_idx"),
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="entry_account_occurred_idx",
        ),
    ]
