"""The sale's terminal loses its own index (``ledger_sale_terminal_id``, one entry per sale): the one
read by terminal, the till's double-click recovery, names the branch too and is served by
``uniq_sale_receipt`` (docs/performance.md, "Indexes a sale writes"). Terminals are never deleted
(they are deactivated), so no foreign-key check reads sales by terminal either."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0011_sale_post2"),
        ("organizations", "0005_logo"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sale",
            name="terminal",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.terminal",
            ),
        ),
    ]
