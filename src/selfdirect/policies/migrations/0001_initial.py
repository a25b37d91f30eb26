# The allocation app made this table (allocation/0001 and 0002); the model moved here so that the
# assessment and allocation apps both build on policy versions without importing each other. Only
# Django's record of the model moves: the table keeps its name and its rows, and its content type is
# relabelled (not recreated), so its id and anything pointing at it stay as they were.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="policies", model="policyversion").exists():
        ContentType.objects.filter(app_label="allocation", model="policyversion").update(app_label="policies")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="allocation", model="policyversion").exists():
        ContentType.objects.filter(app_label="policies", model="policyversion").update(app_label="allocation")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('allocation', '0002_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_audit_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PolicyVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('policy_id', models.CharField(help_text="The policy's `id`, e.g. northshire-2026", max_length=100)),
                        ('title', models.CharField(max_length=200)),
                        ('effective_from', models.DateField()),
                        ('effective_to', models.DateField(blank=True, null=True)),
                        ('content_hash', models.CharField(max_length=64)),
                        ('version_id', models.CharField(help_text='policy id @ first 12 characters of the hash', max_length=120)),
                        ('filename', models.CharField(max_length=200)),
                        ('yaml_text', models.TextField()),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10)),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('authority', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policy_versions', to='core.authority')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'allocation_policyversion',
                        'ordering': ['-effective_from', '-uploaded_at'],
                        'constraints': [
                            models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('authority', 'policy_id'), name='policyversion_one_published_per_id'),
                            models.UniqueConstraint(fields=('authority', 'content_hash'), name='policyversion_unique_hash'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
