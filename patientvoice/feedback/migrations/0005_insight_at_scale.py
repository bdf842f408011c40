"""Indexes for insight over millions of records, and full-text search of comments.

The GIN index exists on PostgreSQL only (other databases have no such index; the comment
explorer searches them with LIKE). Its expression must stay exactly the one
`insight.dashboard_views.search_comments` queries, or PostgreSQL will not use it.
"""

from django.conf import settings
from django.db import migrations, models

COMMENT_WORDS = (
    "CREATE INDEX IF NOT EXISTS comment_words ON feedback_comment "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')))"
)


def add_comment_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COMMENT_WORDS)


def remove_comment_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS comment_words")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("feedback", "0004_publication"),
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="experience",
            name="feedback_ex_organis_5f01e4_idx",
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["experience", "id"], name="comment_by_experience"),
        ),
        migrations.AddIndex(
            model_name="experience",
            index=models.Index(
                fields=["organisation", "submitted_at", "service", "rating", "channel", "id"],
                name="experience_scope_time",
            ),
        ),
        migrations.RunPython(add_comment_words, remove_comment_words, elidable=False),
    ]
