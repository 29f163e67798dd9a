"""The indexes a sale writes, each kept for a query that needs it (docs/performance.md, "Indexes a
sale writes"): the single-column indexes of sale.account, sale.branch, entry.branch,
entry.terminal, lot.organization and lot.entry go (no query reads by them, or only within an
organization's index); the optional keys (sale.staff_user and member, entry.sale, sale_return,
reverses, staff_user and idempotency_key) are indexed only where set. The fast path's function
again (its new account answered by the insert)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from sasom.ledger.sql import sql_text  # the SQL file as this release ships it

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql_text("sale_post"))


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_entry_account_occurred_id_idx'),
        ('members', '0007_member_language_persian'),
        ('organizations', '0005_logo'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='entry',
            name='uniq_entry_idempotency_key',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_member_occurred_idx',
        ),
        migrations.AlterField(
            model_name='entry',
            name='branch',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.branch'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='reverses',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversals', to='ledger.entry'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='sale',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.sale'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='sale_return',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.salereturn'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='staff_user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='entry',
            name='terminal',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.terminal'),
        ),
        migrations.AlterField(
            model_name='lot',
            name='entry',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lots', to='ledger.entry'),
        ),
        migrations.AlterField(
            model_name='lot',
            name='organization',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.organization'),
        ),
        migrations.AlterField(
            model_name='sale',
            name='account',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sales', to='ledger.pointaccount'),
        ),
        migrations.AlterField(
            model_name='sale',
            name='branch',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.branch'),
        ),
        migrations.AlterField(
            model_name='sale',
            name='staff_user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('sale__isnull', False)), fields=['sale'], name='entry_sale_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('sale_return__isnull', False)), fields=['sale_return'], name='entry_sale_return_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('reverses__isnull', False)), fields=['reverses'], name='entry_reverses_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('staff_user__isnull', False)), fields=['staff_user'], name='entry_staff_user_idx'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=models.Index(condition=models.Q(('member__isnull', False)), fields=['member', 'occurred_at'], name='sale_member_occurred_idx'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=models.Index(condition=models.Q(('staff_user__isnull', False)), fields=['staff_user'], name='sale_staff_user_idx'),
        ),
        migrations.AddConstraint(
            model_name='entry',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key__isnull', False)), fields=('organization', 'idempotency_key'), name='uniq_entry_idempotency_key'),
        ),
        migrations.RunPython(_function, migrations.RunPython.noop, elidable=False),
    ]
