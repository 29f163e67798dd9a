"""The label became a real price table (catalog.0003 links each type to it)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_member_retention'),
        ('catalog', '0003_price_tables_from_labels'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='membertype',
            name='price_table',
        ),
    ]
