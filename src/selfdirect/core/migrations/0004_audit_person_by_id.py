"""The audit log names the person a change concerns by id, not by a foreign key to people.Person:
core depends on no domain app. The column, its values and its index stay as they are (the foreign
key never had a database constraint); only Django's picture of the field changes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="auditevent", name="core_audite_person__5ebef7_idx"),
                migrations.RemoveField(model_name="auditevent", name="person"),
                migrations.AddField(
                    model_name="auditevent", name="person_id", field=models.BigIntegerField(blank=True, null=True)
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["person_id", "-at"], name="core_audite_person__5ebef7_idx"),
                ),
            ],
            database_operations=[],
        ),
    ]
