"""SQLite: an FTS5 trigram index over patent titles and abstracts, and its watermark (see patents/search.py).

Created only where the SQLite build supports FTS5 with the trigram tokenizer (3.34+); elsewhere search uses
`icontains` and this migration does nothing.
"""

from django.db import OperationalError, migrations

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS patents_patent_fts USING fts5(title, abstract, tokenize='trigram')",
    """CREATE TABLE IF NOT EXISTS patents_patent_fts_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), updated_at TEXT NOT NULL, patent_id INTEGER NOT NULL)""",
]
DROP = ["DROP TABLE IF EXISTS patents_patent_fts", "DROP TABLE IF EXISTS patents_patent_fts_state"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        with schema_editor.connection.cursor() as cursor:
            for sql in CREATE:
                cursor.execute(sql)
    except OperationalError:  # no FTS5 / no trigram tokenizer in this SQLite build
        return


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in DROP:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("patents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
