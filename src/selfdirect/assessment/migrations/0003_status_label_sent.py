# A sent self-assessment is called "Sent", as the pages say; only the label changes, not the stored value.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0002_policy_version_in_policies'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assessment',
            name='status',
            field=models.CharField(choices=[('draft', 'In progress'), ('submitted', 'Sent'), ('confirmed', 'Eligibility confirmed')], default='draft', max_length=10),
        ),
    ]
