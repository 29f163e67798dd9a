from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_images_without_svg"),
    ]

    operations = [
        migrations.AddField(
            model_name="pricingsettings",
            name="version",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
