# PolicyVersion moved from the allocation app to the policies app (same table): only Django's
# record of where the foreign key points changes; the column and its constraint stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0001_initial'),
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='assessment',
                    name='policy_version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='policies.policyversion'),
                ),
            ],
            database_operations=[],
        ),
    ]
