"""``buddhist_era`` (bool) becomes ``calendar``: True → buddhist, False → gregorian (decision 0006)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    Organization.objects.filter(buddhist_era=True).update(calendar="buddhist")
    Organization.objects.filter(buddhist_era=False).update(calendar="gregorian")


def backwards(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    Organization.objects.update(buddhist_era=False)
    Organization.objects.filter(calendar="buddhist").update(buddhist_era=True)


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0002_sales_since'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='calendar',
            field=models.CharField(choices=[('gregorian', 'Gregorian (2026-11-28)'), ('buddhist', 'Thai Buddhist era (28/11/2569)'), ('jalali', 'Jalali / Solar Hijri (1405/09/07)')], default='buddhist', max_length=10, verbose_name='calendar'),
        ),
        migrations.AddField(
            model_name='organization',
            name='periods_follow_calendar',
            field=models.BooleanField(default=True, help_text='Months, quarters and years of points expiry, birthdays and birth months are the calendar\'s (a Jalali shop\'s month ends with the Jalali month). Off: Gregorian months.', verbose_name='periods follow the calendar'),
        ),
        migrations.AddField(
            model_name='organization',
            name='persian_digits',
            field=models.BooleanField(default=False, help_text='Dates and numbers in Persian digits for Persian readers.', verbose_name='Persian digits'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='organization',
            name='buddhist_era',
        ),
    ]
