# A report pack's statuses are every background run's (core.runs.RunStatus): the stored values are
# unchanged, only the labels the choices carry.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_budgetoffer")]

    operations = [
        migrations.AlterField(
            model_name="reportpack",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting to start"),
                    ("running", "Running"),
                    ("done", "Finished"),
                    ("failed", "Stopped before the end"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
    ]
