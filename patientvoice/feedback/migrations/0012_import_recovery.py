from django.db import migrations, models

import patientvoice.feedback.models


class Migration(migrations.Migration):
    """Imports that survive a crash: a heartbeat, attempts and the run that holds the batch; why a
    run stopped; when the uploaded file was deleted; stored files named at random."""

    dependencies = [("feedback", "0011_cache_table")]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Runs since staff last started it; each stop and re-run adds one",
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="run_token",
            field=models.CharField(
                blank=True,
                help_text="The current run's: an older run finds it changed",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the run last showed it was alive, or was queued",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="failure",
            field=models.TextField(
                blank=True,
                help_text="Why the import stopped, when it was not bad rows: staff may retry",
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="file_deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="file",
            field=models.FileField(
                blank=True, upload_to=patientvoice.feedback.models.import_file_name
            ),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[
                    ("mapping", "Waiting for the columns to be matched"),
                    ("queued", "Waiting to start"),
                    ("checking", "Checking rows"),
                    ("importing", "Importing"),
                    ("done", "Imported"),
                    ("failed", "Not imported"),
                ],
                default="mapping",
                max_length=20,
            ),
        ),
    ]
