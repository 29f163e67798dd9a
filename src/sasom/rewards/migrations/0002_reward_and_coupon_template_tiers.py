# Rewards and coupon types limited to tiers of the organization's ladder (docs/tiers.md).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rewards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reward",
            name="tiers",
            field=models.JSONField(
                blank=True, default=list,
                help_text="Tier codes of the ladder; none: every member, with or without a tier.",
                verbose_name="tiers allowed",
            ),
        ),
        migrations.AddField(
            model_name="coupontemplate",
            name="tiers",
            field=models.JSONField(
                blank=True, default=list,
                help_text="Tier codes of the ladder; none: every member, with or without a tier.",
                verbose_name="tiers allowed",
            ),
        ),
    ]
