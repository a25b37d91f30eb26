# An analysis run's statuses are every background run's (core.runs.RunStatus): the stored values are
# unchanged, only the labels the choices carry.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("extracare", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="analysisrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting to start"),
                    ("running", "Running"),
                    ("done", "Finished"),
                    ("failed", "Stopped before the end"),
                ],
                default="queued",
                max_length=20,
            ),
        ),
    ]
