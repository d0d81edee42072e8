"""Substring search indexes over patent titles and abstracts (see patents/search.py).

SQLite: an FTS5 trigram table and its watermark, where the SQLite build has the trigram tokenizer (3.34+).
PostgreSQL: pg_trgm GIN indexes on the exact expressions Django's `icontains` emits
(`UPPER(col::text) LIKE UPPER(%s)`), where the extension can be created. Elsewhere: nothing, `icontains` scans.
"""

from django.db import DatabaseError, OperationalError, migrations, transaction

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS patents_patent_fts USING fts5(title, abstract, tokenize='trigram')",
    """CREATE TABLE IF NOT EXISTS patents_patent_fts_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), updated_at TEXT NOT NULL, patent_id INTEGER NOT NULL)""",
]
DROP = ["DROP TABLE IF EXISTS patents_patent_fts", "DROP TABLE IF EXISTS patents_patent_fts_state"]
PG_CREATE = [
    "CREATE INDEX IF NOT EXISTS patents_patent_title_trgm ON patents_patent "
    "USING gin (UPPER(title::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patents_patent_abstract_trgm ON patents_patent "
    "USING gin (UPPER(abstract::text) gin_trgm_ops)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS patents_patent_title_trgm",
    "DROP INDEX IF EXISTS patents_patent_abstract_trgm",
]


def forwards_postgres(schema_editor):
    connection = schema_editor.connection
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # not allowed to create extensions here: keep the plain scan
        return
    with connection.cursor() as cursor:
        for sql in PG_CREATE:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        forwards_postgres(schema_editor)
        return
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        with schema_editor.connection.cursor() as cursor:
            for sql in CREATE:
                cursor.execute(sql)
    except OperationalError:  # no FTS5 / no trigram tokenizer in this SQLite build
        return


def backwards(apps, schema_editor):
    statements = {"sqlite": DROP, "postgresql": PG_DROP}.get(schema_editor.connection.vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("patents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
