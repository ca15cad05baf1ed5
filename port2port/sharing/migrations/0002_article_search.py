"""The full-text index of the best-practice library, per database."""

from django.db import migrations

# Kept equal to the expression that ``sharing.search`` queries.
PG_DOCUMENT = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, '') "
    "|| ' ' || coalesce(body, '') || ' ' || coalesce(\"where\", '') || ' ' "
    "|| coalesce(contact, '') || ' ' || coalesce(results, ''))"
)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS sharing_article_fts USING fts5("
            "title, body, tokenize='porter unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS sharing_article_fts_idx ON sharing_article "
            f"USING GIN (({PG_DOCUMENT}))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS sharing_article_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS sharing_article_fts_idx")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_hub")]

    operations = [migrations.RunPython(create_index, drop_index)]
