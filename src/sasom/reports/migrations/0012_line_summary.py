import django.db.models.deletion
from django.db import migrations, models


def summary_forget(apps, schema_editor):
    """Days built before the line summary existed have no line rows: forget them, so the next read
    (or the nightly job) builds both summaries for them (docs/decisions/0012)."""
    apps.get_model("reports", "SummaryDay").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_member_language_persian'),
        ('organizations', '0003_calendar'),
        ('reports', '0011_sales_summary'),
    ]

    operations = [
        migrations.CreateModel(
            name='DailyLineSales',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=1)),
                ('item', models.CharField(blank=True, max_length=64)),
                ('bills', models.IntegerField()),
                ('quantity', models.DecimalField(decimal_places=3, max_digits=16)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=16)),
                ('branch', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.branch')),
                ('member', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.member')),
                ('organization', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'kind', 'day', 'branch', 'member', 'item'), name='uniq_daily_line_sales')],
            },
        ),
        migrations.RunPython(summary_forget, migrations.RunPython.noop),
    ]
