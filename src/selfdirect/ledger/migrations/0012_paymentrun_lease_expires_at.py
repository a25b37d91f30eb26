"""A payment run's lease gets its own field (issue 18.4). While a run was running, finished_at held
the time its worker's lease expired; a running run's value moves to lease_expires_at, and
finished_at means only when the run finished. Going back, a running run's lease returns to
finished_at."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0011_months_and_legs_defended"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentrun",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE ledger_paymentrun SET lease_expires_at = finished_at, finished_at = NULL"
            " WHERE status = 'running'",
            "UPDATE ledger_paymentrun SET finished_at = lease_expires_at WHERE status = 'running'",
        ),
    ]
