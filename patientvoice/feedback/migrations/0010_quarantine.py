"""Web posts that look automated or flooded are stored held back, out of every figure, until an
officer releases them. Existing records are all counted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0009_partial_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="experience",
            name="confirmation_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="experience",
            name="held_back_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("honeypot", "Filled in the field people are asked to leave empty"),
                    ("no_form", "Not sent from a form this site showed"),
                    ("too_fast", "Sent within seconds of the form being shown"),
                    ("busy_client", "Many submissions from one address"),
                    ("busy_scope", "Unusually many submissions about this service"),
                    ("duplicate", "Nearly the same words as a recent submission"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="experience",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="experience",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="experience",
            name="source_key",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="experience",
            name="status",
            field=models.CharField(
                choices=[
                    ("counted", "Counted"),
                    ("held_back", "Held back for review"),
                    ("rejected", "Rejected after review"),
                ],
                default="counted",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="experience",
            name="text_fingerprint",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddIndex(
            model_name="experience",
            index=models.Index(
                condition=models.Q(("status", "counted"), _negated=True),
                fields=["organisation", "status", "submitted_at"],
                name="experience_not_counted",
            ),
        ),
        migrations.AddIndex(
            model_name="experience",
            index=models.Index(
                condition=models.Q(("text_fingerprint", ""), _negated=True),
                fields=["service", "text_fingerprint", "submitted_at"],
                name="experience_fingerprint",
            ),
        ),
    ]
