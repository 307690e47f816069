"""Independent searches for personal values: every column of every table, every file, every Redis key.

They read the database through its own introspection (not the models) so that a
table or column the erasure does not know about is searched all the same.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import cast

from django.conf import settings
from django.db import connection


def database_mentions(values: list[str]) -> dict[str, int]:
    """``{"table.column": rows}`` for each column of each table whose text contains any value."""
    found: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                as_text = f"LOWER(CAST({quote(column.name)} AS TEXT))"
                condition = " OR ".join(f"{as_text} LIKE %s" for _ in values)
                cursor.execute(  # noqa: S608 - table and column names come from the database itself
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}",
                    [f"%{value.lower()}%" for value in values],
                )
                count = cursor.fetchone()[0]
                if count:
                    found[f"{table}.{column.name}"] = count
    return found


def _texts(data: bytes) -> list[str]:
    texts = [data.decode("utf-8", "replace")]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                texts.extend(_texts(archive.read(member)))
    if data[:5] == b"%PDF-":
        from pypdf import PdfReader

        texts.extend(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return texts


def files_mentioning(values: list[str], root: Path | None = None) -> list[str]:
    """Files under MEDIA_ROOT whose bytes, zip members or PDF text contain any value."""
    root = Path(root or settings.MEDIA_ROOT)
    lowered = [v.lower() for v in values]
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for text in _texts(path.read_bytes()):
            flat = " ".join(text.lower().split())
            if any(v in text.lower() or " ".join(v.split()) in flat for v in lowered):
                found.append(path.relative_to(root).as_posix())
                break
    return found


def redis_keys_mentioning(values: list[str], url: str) -> list[str]:
    """Keys of the Redis database at ``url`` whose name or any value contains any of ``values``."""
    import redis

    client = redis.Redis.from_url(url)
    lowered = [v.lower().encode() for v in values]
    found = []
    for key in client.scan_iter(count=500):
        kind = client.type(key)
        blobs: list[bytes] = [key]
        # Without decode_responses the client answers bytes; redis-py's annotations allow str as well.
        if kind == b"string":
            blobs.append(cast(bytes | None, client.get(key)) or b"")
        elif kind == b"list":
            blobs.extend(cast(list[bytes], client.lrange(key, 0, -1)))
        elif kind == b"hash":
            for k, v in cast(dict[bytes, bytes], client.hgetall(key)).items():
                blobs.extend([k, v])
        elif kind == b"set":
            blobs.extend(cast(set[bytes], client.smembers(key)))
        elif kind == b"zset":
            blobs.extend(cast(list[bytes], client.zrange(key, 0, -1)))
        if any(v in blob.lower() for blob in blobs for v in lowered):
            found.append(key.decode())
    return found
