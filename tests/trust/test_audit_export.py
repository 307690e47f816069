"""The audit CSV: the same cells from PostgreSQL's COPY and from the Python path, safe in a spreadsheet, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Generator

import pytest
from django.db import connection
from django.urls import reverse

from hiring.access import audit_values_withheld
from hiring.audit import export as audit_export
from hiring.audit.selectors import AuditFilters, audit_events
from hiring.audit.services import audit_record
from hiring.models import AuditEvent
from tests.hiring.factories import UserFactory

AWKWARD = {
    "formula": "=HYPERLINK(\"http://evil\")",
    "comma, \"quote\"": "line one\nline two",
    "accents": "Zoë Ångström",
    "nested": {"b": [1, 2.5, None], "a": True},
}


def _parsed(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode())))
    for row in rows[1:]:
        # JSON key order is the database's own; compare values, not text.
        for index in (8, 9):
            if row[index]:
                row[index] = json.loads(row[index])
    return rows


def _export(client, **params) -> bytes:
    response = client.get(reverse("hiring:audit-export"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _awkward_events():
    ada = UserFactory(username="-ada")  # a name that starts like a formula
    audit_record(actor=ada, action="test.awkward", obj=ada, loop_id=7, before=None, after=AWKWARD)
    audit_record(actor=None, action="test.awkward", obj=ada, before={"n": -1}, after=None)
    return ada


def test_export_cells_are_spreadsheet_safe_and_round_trip(db, client, committee_member):
    ada = _awkward_events()
    client.force_login(committee_member)
    rows = _parsed(_export(client, action="test.awkward"))
    assert rows[0] == audit_export.CSV_COLUMNS
    newest, oldest = rows[1:]
    # Newest first; the system wrote the later event, with no actor.
    assert newest[2:5] == ["", "system", "test.awkward"]
    assert newest[7:] == ["", {"n": -1}, "", "false"]
    assert oldest[2:5] == [str(ada.pk), "'-ada", "test.awkward"]
    assert oldest[7:] == ["7", "", AWKWARD, "false"]
    assert oldest[1].endswith("+00:00") and "T" in oldest[1]


def test_postgres_copy_and_the_python_path_give_the_same_rows(db, committee_member):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path exists on PostgreSQL; SQLite always takes the Python path")
    _awkward_events()
    for number in range(30):
        audit_record(actor=committee_member, action="test.many", obj=committee_member, loop_id=number,
                     after={"v": number, "text": "+1 " * number})
    events = audit_events(AuditFilters(), withheld=audit_values_withheld(committee_member))
    copied = b"".join(audit_export.audit_csv(events))
    python = b"".join(audit_export._blocks(audit_export._python_csv(events.values_list(*audit_export._FIELDS))))
    assert _parsed(copied) == _parsed(python)
    assert len(_parsed(copied)) == AuditEvent.objects.count() + 1


def test_export_is_sent_in_blocks_not_a_write_per_row(db, client, committee_member):
    for number in range(3000):
        audit_record(actor=committee_member, action="test.bulk", obj=committee_member, loop_id=number,
                     after={"v": number})
    client.force_login(committee_member)
    response = client.get(reverse("hiring:audit-export"), {"action": "test.bulk"})
    chunks = list(response.streaming_content)
    assert len(_parsed(b"".join(chunks))) == 3001
    assert len(chunks) <= 3 + sum(len(c) for c in chunks) // audit_export.BLOCK_BYTES


def test_a_download_abandoned_midway_leaves_the_connection_usable(db, committee_member):
    for number in range(3000):
        audit_record(actor=committee_member, action="test.bulk", obj=committee_member, loop_id=number,
                     after={"v": "x" * 40})
    blocks = audit_export.audit_csv(audit_events(AuditFilters(), withheld=audit_values_withheld(committee_member)))
    assert next(blocks)
    # audit_csv promises only an Iterator; the server's close() on a dropped client needs the generator.
    assert isinstance(blocks, Generator)
    blocks.close()  # what the server does when the client goes away
    assert AuditEvent.objects.filter(action="test.bulk").count() == 3000
