# PolicyVersion moved to the policies app (policies/0001 takes over the same table): only Django's
# record changes. The foreign keys here now point at policies.PolicyVersion, and the allocation
# app forgets the model; no table, column or constraint is touched.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('allocation', '0002_initial'),
        ('assessment', '0002_policy_version_in_policies'),
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='allocation',
                    name='policy_version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='policies.policyversion'),
                ),
                migrations.AlterField(
                    model_name='whatifrun',
                    name='base',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.policyversion'),
                ),
                migrations.AlterField(
                    model_name='whatifrun',
                    name='proposed',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.policyversion'),
                ),
                migrations.DeleteModel(name='PolicyVersion'),
            ],
            database_operations=[],
        ),
    ]
