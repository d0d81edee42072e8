"""Backup and restore (BR-1): SQLite online backup API or pg_dump, SM4-GCM encrypted, with an SM3 manifest.

manifest.json = {"created_at", "vendor", "file", "file_sm3", "key_id", "tables": {name: {"rows", "sm3"}},
                 "audit": {"rows", "head"}}; a restore recomputes the table digests and verifies the audit chain.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import connection, transaction

from panhuo.common.fields import field_cipher

CHUNK = 1024 * 1024
SKIP_TABLES = {"django_session", "django_migrations"}


def backup_dir() -> Path:
    path = Path(settings.DATA_DIR) / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_list() -> list[dict[str, Any]]:
    rows = []
    for manifest in sorted(backup_dir().glob("*/manifest.json"), reverse=True):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        rows.append(
            {
                "name": manifest.parent.name,
                "created_at": data["created_at"],
                "vendor": data["vendor"],
                "tables": len(data["tables"]),
                "audit_rows": data["audit"]["rows"],
            }
        )
    return rows


def _sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.finalize().hex()


def table_digests() -> dict[str, dict[str, Any]]:
    """Row count and an SM3 over every row (ordered by primary key) of every application table (live database)."""
    tables = sorted(t for t in connection.introspection.table_names() if t not in SKIP_TABLES)
    with connection.cursor() as cursor:
        return _digests(cursor, tables, connection.ops.quote_name)


def _digests(cursor: Any, tables: list[str], quote: Any) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for table in tables:
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608 - table names from introspection
        digest = hashes.Hash(hashes.SM3())
        rows = 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(repr(tuple(_canon(v) for v in row)).encode("utf-8"))
                rows += 1
        result[table] = {"rows": rows, "sm3": digest.finalize().hex()}
    return result


def _sqlite_file_state(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Digests and audit head read from one SQLite file (the snapshot, or the restored database) as stored."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = db.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        tables = sorted(name for (name,) in cursor.fetchall() if name not in SKIP_TABLES)
        digests = _digests(cursor, tables, lambda name: '"' + name.replace('"', '""') + '"')
        cursor.execute("SELECT count(*) FROM common_auditevent")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT row_hash FROM common_auditevent ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
    finally:
        db.close()
    return digests, {"rows": rows, "head": last[0] if last else ""}


def _canon(value: Any) -> Any:
    """Make values compare equally across a dump and a restore (memoryview, bool-as-int, json text)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _audit_head() -> dict[str, Any]:
    from panhuo.common.models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    return {"rows": AuditEvent.objects.count(), "head": last or ""}


def _encrypt_file(src: Path, dst: Path) -> str:
    cipher = field_cipher()
    key_id = cipher.current
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(cipher.keys[key_id]), modes.GCM(nonce)).encryptor()
    with src.open("rb") as fin, dst.open("wb") as fout:
        fout.write(nonce)
        while chunk := fin.read(CHUNK):
            fout.write(encryptor.update(chunk))
        fout.write(encryptor.finalize())
        fout.write(encryptor.tag)
    return key_id


def _decrypt_file(src: Path, dst: Path, key_id: str) -> None:
    key = field_cipher().keys[key_id]
    size = src.stat().st_size
    with src.open("rb") as fin:
        nonce = fin.read(12)
        fin.seek(size - 16)
        tag = fin.read(16)
        fin.seek(12)
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        remaining = size - 12 - 16
        with dst.open("wb") as fout:
            while remaining > 0:
                chunk = fin.read(min(CHUNK, remaining))
                remaining -= len(chunk)
                fout.write(decryptor.update(chunk))
            fout.write(decryptor.finalize())  # raises InvalidTag if the file was altered


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def backup_create(*, out_dir: Path | None = None) -> Path:
    """Write <out>/<timestamp>/{db.enc, manifest.json}; returns that folder.

    The digests and the audit head in the manifest are read from the very snapshot that is copied (the SQLite
    backup file; on PostgreSQL the exported snapshot pg_dump uses), so writes during the backup cannot make the
    manifest disagree with the copy.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = (out_dir or backup_dir()) / stamp
    target.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        plain = Path(tmp) / "db.dump"
        if vendor == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(plain)
            with destination:
                connection.connection.backup(destination)  # online, consistent snapshot
            destination.close()
            tables, audit = _sqlite_file_state(plain)
        elif vendor == "postgresql":
            tables, audit = _pg_dump_with_digests(plain)
        else:
            raise RuntimeError(f"unsupported database {vendor}")
        key_id = _encrypt_file(plain, target / "db.enc")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "vendor": vendor,
        "file": "db.enc",
        "file_sm3": _sm3_file(target / "db.enc"),
        "key_id": key_id,
        "tables": tables,
        "audit": audit,
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return target


def _pg_dump_with_digests(plain: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """pg_dump and the digests in one REPEATABLE READ snapshot (exported to pg_dump with --snapshot)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(plain)],
            check=True,
            env=_pg_env(),
        )
        return table_digests(), _audit_head()


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restore into the configured database (which should be fresh) and verify counts, digests and audit chain."""
    from panhuo.common.audit import audit_verify

    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if _sm3_file(source / manifest["file"]) != manifest["file_sm3"]:
        raise RuntimeError("backup file digest mismatch: 备份文件摘要不符")
    if manifest["vendor"] != connection.vendor:
        raise RuntimeError(f"backup is {manifest['vendor']}, database is {connection.vendor}")
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        plain = Path(tmp) / "db.dump"
        _decrypt_file(source / manifest["file"], plain, manifest["key_id"])
        if connection.vendor == "sqlite":
            connection.close()
            db_path = Path(settings.DATABASES["default"]["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            src = sqlite3.connect(plain)
            dst = sqlite3.connect(db_path)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            connection.close()
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "-d",
                    _pg_env()["PGDATABASE"],
                    str(plain),
                ],
                check=True,
                env=_pg_env(),
            )
    if connection.vendor == "sqlite":
        actual, head = _sqlite_file_state(Path(settings.DATABASES["default"]["NAME"]))
    else:
        actual, head = table_digests(), _audit_head()
    mismatched = sorted(t for t, v in manifest["tables"].items() if actual.get(t) != v)
    # The chain alone: the local anchor (if any) is ahead of an older copy by design; the restore command
    # re-anchors once the restored chain verifies (docs/security.md).
    chain = audit_verify(anchored=False)
    return {
        "tables": len(actual),
        "mismatched": mismatched,
        "audit_ok": chain.ok,
        "audit_rows": chain.checked,
        "audit_head_ok": head["head"] == manifest["audit"]["head"],
    }
