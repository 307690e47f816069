"""Importing Greenhouse's Harvest API files (tests/imports/files/greenhouse, in the documented shapes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, User
from imports.models import ExternalRecord, ImportRun
from scorecards.models import Rating, RecomputeRequest, Scorecard
from tests.hiring.factories import UserFactory
from tests.imports.helpers import FILES, copy_files, run_import, snapshot, table_counts

pytestmark = pytest.mark.django_db

GREENHOUSE = FILES / "greenhouse"


@pytest.fixture
def kate(rubrics):
    """Kate is already a Hireloop user: Greenhouse's Kate.Austen@example.com is matched to her by email."""
    return UserFactory(username="kate", email="kate.austen@example.com", first_name="Kate", last_name="Austen")


def ratings_of(source_id: str) -> dict[str, tuple[int | None, bool, str]]:
    card = Scorecard.objects.get(source="greenhouse", source_id=source_id)
    return {r.dimension.name: (r.score, r.not_assessed, r.evidence) for r in card.ratings.select_related("dimension")}


def test_import_greenhouse_creates_history(kate):
    """Every record maps to its Hireloop row: people by email, the ratings through the table, nothing invented."""
    output = run_import(GREENHOUSE)

    run = ImportRun.objects.get()
    assert run.status == "done" and run.source == "greenhouse"
    assert run.counts == {
        "users": {"created": 3, "matched by email": 1},
        "candidates": {"created": 2},
        "loops": {"created": 2, "skipped": 2},
        "interviews": {"created": 6},
        "scorecards": {"created": 4},
    }
    assert run.skipped == [
        {"kind": "loops", "reason": "a prospect with no job", "count": 1, "examples": ["985317"]},
        {"kind": "loops", "reason": "the job is mapped to no role (role: null)", "count": 1, "examples": ["985316"]},
    ]
    assert run.unmapped == [{"job": "6404", "job_name": "Applied AI Engineer", "attribute": "Culture add",
                             "why": "left out by the mapping file", "ratings": 1}]
    assert "Culture add" in output and "1 rating(s), left out by the mapping file" in output

    # People: Kate matched; Zoë created inactive; José has no email; the deleted user has a placeholder.
    created = User.objects.exclude(pk=kate.pk).order_by("username")
    assert [(u.username, u.get_full_name(), u.email, u.is_active, u.has_usable_password()) for u in created] == [
        ("greenhouse-821", "Zoë Ångström", "zoe.angstrom@example.com", False, False),
        ("greenhouse-950", "José Núñez", "", False, False),
        ("greenhouse-deleted-158104", "Deleted Greenhouse user 158104", "", False, False),
    ]

    soren = Candidate.objects.get(email="soren@example.com")
    assert (soren.name, soren.phone, soren.source) == ("Søren Kierkegaard", "+45 5555 5555", "Greenhouse import")
    lee = Candidate.objects.get(name="小龙 李")
    assert lee.email == ""

    rejected = InterviewLoop.objects.get(candidate=soren)
    assert (rejected.status, rejected.decision, rejected.role.slug, rejected.recruiter) == (
        "decided", "no_hire", "applied-ai-engineer", kate)
    assert rejected.closed_at == datetime(2025, 4, 17, 21, 8, 29, 686000, tzinfo=UTC)
    assert rejected.opened_at == datetime(2025, 3, 26, 20, 11, 39, tzinfo=UTC)
    still_open = InterviewLoop.objects.get(candidate=lee)
    # An interview ended without its scorecard: the loop waits for feedback, as Hireloop's own loops do.
    assert (still_open.status, still_open.decision) == ("awaiting_feedback", "")
    assert list(RecomputeRequest.objects.values_list("loop_id", "reason")) == [(still_open.pk, "imported")]

    assert sorted(Interview.objects.filter(loop=rejected).values_list("kind", "interviewer__username")) == [
        ("behavioural", "greenhouse-deleted-158104"), ("system_design", "greenhouse-821"), ("system_design", "kate"),
    ]

    # definitely_not/no/mixed/yes/strong_yes -> 1..5; no_decision and unrated -> not assessed, never a score.
    assert ratings_of("211231") == {
        "Communication & collaboration": (4, False, "Explained the trade-offs clearly."),
        "AI system design": (3, False, ""),
        "Software engineering": (None, True, ""),
    }
    assert ratings_of("211232") == {
        "Communication & collaboration": (2, False, ""),
        "AI system design": (1, False, "Stuck on the retrieval step."),
        "Software engineering": (5, False, ""),
    }
    first = Scorecard.objects.get(source_id="211231")
    assert (first.overall, first.summary, first.status, first.interviewer, first.revision, first.is_current) == (
        "no", "Solid design, shaky on evaluation.", "submitted", kate, 1, True)
    assert first.submitted_at == datetime(2025, 4, 10, 18, 59, 51, tzinfo=UTC)
    # no_decision overall: no overall recommendation.
    assert Scorecard.objects.get(source_id="211233").overall == ""
    # The deleted user's scorecard stays, under the placeholder, on an interview of its own.
    by_deleted = Scorecard.objects.get(source_id="211234")
    assert by_deleted.interviewer.username == "greenhouse-deleted-158104"
    assert (by_deleted.interview.kind, by_deleted.interview.starts_at) == ("behavioural", by_deleted.submitted_at)

    event = AuditEvent.objects.get(action="import.completed")
    assert (event.object_type, event.object_id, event.after) == (
        "imports.importrun", str(run.pk), {"source": "greenhouse", "counts": run.counts})


def test_import_greenhouse_again_changes_nothing(kate):
    """Re-running the same files duplicates nothing and rewrites nothing."""
    run_import(GREENHOUSE)
    before, values = table_counts(), snapshot()

    output = run_import(GREENHOUSE)

    after = table_counts()
    # The second run is recorded (one run row, one audit event); nothing else moved.
    assert after == {**before, "ImportRun": before["ImportRun"] + 1, "AuditEvent": before["AuditEvent"] + 1}
    assert snapshot() == values
    assert ImportRun.objects.order_by("-pk").first().counts == {  # type: ignore[union-attr]
        "users": {"unchanged": 4},
        "candidates": {"unchanged": 2},
        "loops": {"skipped": 2, "unchanged": 2},
        "interviews": {"unchanged": 6},
        "scorecards": {"unchanged": 4},
    }
    assert "ratings written: 0" in output


def test_import_greenhouse_updates_what_changed(kate, tmp_path):
    """A scorecard changed in Greenhouse is updated in place; the rest is left alone."""
    run_import(GREENHOUSE)
    card = Scorecard.objects.get(source_id="211232")
    others = snapshot()["ratings"]
    directory = copy_files(tmp_path, "greenhouse")
    path = directory / "scorecards.json"
    path.write_text(path.read_text().replace('"name": "Communication", "type": "Skills", "note": null, '
                                             '"rating": "no"', '"name": "Communication", "type": "Skills", '
                                             '"note": "Better on a second look.", "rating": "yes"'))
    (directory / "mapping.yaml").write_text((GREENHOUSE / "mapping.yaml").read_text())

    run_import(directory)

    assert ImportRun.objects.order_by("-pk").first().counts["scorecards"] == {  # type: ignore[union-attr]
        "unchanged": 3, "updated": 1}
    assert Scorecard.objects.filter(source_id="211232").get().pk == card.pk
    assert ratings_of("211232")["Communication & collaboration"] == (4, False, "Better on a second look.")
    unchanged = [r for r in snapshot()["ratings"] if r[0] != card.pk]
    assert unchanged == [r for r in others if r[0] != card.pk]


def test_import_greenhouse_dry_run_writes_nothing(kate):
    """--dry-run prints what would be created, updated and skipped, with counts, and writes nothing."""
    before = table_counts()

    output = run_import(GREENHOUSE, "greenhouse", "--dry-run")

    assert table_counts() == before
    assert "dry run: nothing was written" in output
    lines = {line.split()[0]: line.split()[1:] for line in output.splitlines()[2:7]}
    assert lines == {"users": ["3", "1", "0", "0", "0"], "candidates": ["2", "0", "0", "0", "0"],
                     "loops": ["2", "0", "0", "0", "2"], "interviews": ["6", "0", "0", "0", "0"],
                     "scorecards": ["4", "0", "0", "0", "0"]}
    assert "skipped 1 loops: a prospect with no job (e.g. 985317)" in output


def test_import_greenhouse_malformed_record_is_refused_and_nothing_lost(kate, tmp_path):
    """A malformed record refuses the run, naming the file, the record and the problem; what an earlier run
    imported is untouched and nothing of the refused run is written."""
    run_import(GREENHOUSE)
    before, values = table_counts(), snapshot()
    directory = copy_files(tmp_path, "greenhouse")
    path = directory / "scorecards.json"
    text = path.read_text()
    python = '},\n     {"name": "Python"'
    broken = text.replace(f'"rating": "strong_yes"{python}', f'"rating": "maybe"{python}')
    assert broken != text
    path.write_text(broken)
    users = directory / "users.json"
    users.write_text(users.read_text().replace('"zoe.angstrom@example.com", "updated_at"',
                                               '"not-an-email", "updated_at"'))

    with pytest.raises(CommandError) as refused:
        run_import(directory)

    assert str(refused.value) == (
        "Nothing was imported:\n"
        "  users.json, user 821: primary_email_address is not a valid email address\n"
        "  scorecards.json, scorecard 211233: attributes[0].rating must be one of definitely_not, no, mixed, yes, "
        "strong_yes, no_decision"
    )
    assert "not-an-email" not in str(refused.value)
    assert snapshot() == values
    refusal = ImportRun.objects.get(status="failed")
    assert refusal.problems == [
        {"file": "users.json", "record": "user 821", "message": "primary_email_address is not a valid email address"},
        {"file": "scorecards.json", "record": "scorecard 211233",
         "message": "attributes[0].rating must be one of definitely_not, no, mixed, yes, strong_yes, no_decision"},
    ]
    assert table_counts() == {**before, "ImportRun": before["ImportRun"] + 1, "AuditEvent": before["AuditEvent"] + 1}


def test_import_greenhouse_broken_json_is_refused(rubrics, tmp_path):
    directory = copy_files(tmp_path, "greenhouse")
    text = (directory / "applications.json").read_text()
    (directory / "applications.json").write_text(text[: text.index('"status": "active"')])
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        run_import(directory)

    assert "applications.json: not valid JSON at line 35, column 1: Unterminated string" in str(refused.value) or (
        "applications.json: not valid JSON at line" in str(refused.value))
    assert table_counts() == {**before, "ImportRun": 1, "AuditEvent": before["AuditEvent"] + 1}
    assert InterviewLoop.objects.count() == 0


def test_import_greenhouse_mapping_problems_are_named(rubrics, tmp_path):
    directory = copy_files(tmp_path, "greenhouse")
    (directory / "mapping.yaml").write_text(
        'source: greenhouse\njobs:\n  "6404":\n    role: applied-ai-engineer\n    attributes:\n'
        '      "Communication": "Charisma"\n      "Python": "Software engineering"\n'
        '      "Problem Solver": "software engineering"\n  "7001":\n    role: no-such-role\n'
    )

    with pytest.raises(CommandError) as refused:
        run_import(directory)

    message = str(refused.value)
    assert "mapping.yaml, jobs.6404.attributes.Communication: 'Charisma' is not a dimension of " in message
    assert ("mapping.yaml, jobs.6404.attributes.Problem Solver: 'Software engineering' is already the dimension "
            "of 'Python'; map each dimension from one attribute") in message
    assert "mapping.yaml, jobs.7001.role: 'no-such-role' is not a Hireloop role with a published rubric" in message
    assert Scorecard.objects.count() == 0


def test_import_greenhouse_suggest_mapping_matches_names(rubrics):
    output = run_import(GREENHOUSE, "greenhouse", "--suggest-mapping")

    assert '  "6404":\n    name: "Applied AI Engineer"  # 2 application(s)\n' in output
    assert "    role: applied-ai-engineer  # matched by name\n" in output
    assert '      "Communication": "Communication & collaboration"  # 4 rating(s); guessed: check\n' in output
    assert '  "System Design": system_design  # 4 interview(s)\n' in output
    assert ExternalRecord.objects.count() == 0 and ImportRun.objects.count() == 0


def test_import_greenhouse_refuses_an_actor_who_is_not_admin(kate):
    with pytest.raises(CommandError, match="'kate' is not an admin; only admins import history"):
        run_import(GREENHOUSE, "greenhouse", "--actor", "kate")
    assert ImportRun.objects.count() == 0


def test_import_greenhouse_ratings_are_the_documented_table(kate):
    """Every rating in the files, by Greenhouse's word, becomes the documented score."""
    run_import(GREENHOUSE)
    by_word: dict[str, set[tuple[int | None, bool]]] = {}
    for page in _pages(GREENHOUSE / "scorecards.json"):
        for card in page:
            for attribute in card["attributes"]:
                if attribute["name"] == "Culture add":
                    continue
                rating = Rating.objects.get(scorecard__source_id=str(card["id"]),
                                            dimension__name=_DIMENSIONS[attribute["name"]])
                by_word.setdefault(str(attribute["rating"]), set()).add((rating.score, rating.not_assessed))
    assert by_word == {"definitely_not": {(1, False)}, "no": {(2, False)}, "mixed": {(3, False)},
                       "yes": {(4, False)}, "strong_yes": {(5, False)}, "no_decision": {(None, True)}}


_DIMENSIONS = {"Communication": "Communication & collaboration", "Problem Solver": "AI system design",
               "Python": "Software engineering"}


def _pages(path):
    decoder, text, position = json.JSONDecoder(), path.read_text(), 0
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position < len(text):
            page, position = decoder.raw_decode(text, position)
            yield page


def test_import_greenhouse_interrupted_midway_leaves_nothing_half_written(kate, monkeypatch):
    """A failure after the rows were written (here: the leniency history) rolls the whole import back; the run
    says it was interrupted, and the next run starts it again."""
    before, values = table_counts(), snapshot()

    def broken() -> int:
        raise ConnectionError("the database went away")

    monkeypatch.setattr("imports.services.run.leniency_residuals_rebuild", broken)
    with pytest.raises(ConnectionError):
        run_import(GREENHOUSE)

    assert snapshot() == values
    assert table_counts() == {**before, "ImportRun": 1}
    run = ImportRun.objects.get()
    assert (run.status, run.problems) == ("failed", [{"file": "", "record": "", "message": (
        "interrupted (ConnectionError); nothing of this run was saved: run the import again")}])

    monkeypatch.undo()
    run_import(GREENHOUSE)
    assert Scorecard.objects.filter(source="greenhouse").count() == 4


def test_import_writer_refuses_rows_that_refer_to_missing_rows(rubrics):
    """With PostgreSQL's row triggers off for the COPY, the set-wise check still catches a dangling key."""
    from django.db import connection, transaction

    from imports.services.write import BulkWriter

    if connection.vendor != "postgresql":
        pytest.skip("the row triggers are PostgreSQL's")
    with pytest.raises(RuntimeError, match=r"scorecards_rating.scorecard_id: 1 row\(s\)"), transaction.atomic():
        writer = BulkWriter()
        assert writer.bypass  # the test database's user is a superuser, as the benchmark's is
        dimension = rubrics["applied-ai-engineer"].dimensions.first()
        writer.insert(Rating, ("scorecard_id", "dimension_id", "score", "not_assessed", "evidence"),
                      [(987654321, dimension.pk, 3, False, "")], new_rows=("scorecard_id", [987654321]))
        writer.check_references()
    assert Rating.objects.count() == 0


def test_import_greenhouse_brings_back_a_row_deleted_since(kate):
    """A row deleted in Hireloop since the last run (by hand, in the database) is imported again, not duplicated."""
    run_import(GREENHOUSE)
    Scorecard.objects.filter(source_id="211232").delete()

    run_import(GREENHOUSE)

    assert ImportRun.objects.order_by("-pk").first().counts["scorecards"] == {  # type: ignore[union-attr]
        "created": 1, "unchanged": 3}
    assert ratings_of("211232")["AI system design"] == (1, False, "Stuck on the retrieval step.")
    assert ExternalRecord.objects.filter(kind="scorecard").count() == 4


def test_import_greenhouse_over_long_values_are_skipped_and_reported_not_crashed(kate, tmp_path):
    """A candidate whose email is longer than Hireloop holds (254) and a rating note longer than evidence may be
    (10,000) are skipped and named in the report; the rest is imported. Before, the email crashed the run."""
    directory = copy_files(tmp_path, "greenhouse")
    long_email = "s" * 250 + "@example.com"
    candidates = directory / "candidates.json"
    candidates.write_text(candidates.read_text().replace('"soren@example.com"', f'"{long_email}"'))
    scorecards = directory / "scorecards.json"
    before, after = scorecards.read_text().split('"id": 211233', 1)
    after = after.replace('"note": null', '"note": "' + "x" * 10_001 + '"', 1)
    scorecards.write_text(before + '"id": 211233' + after)

    output = run_import(directory)

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE
    reasons = {(entry["kind"], entry["reason"]) for entry in run.skipped}
    assert ("candidates", "the candidate's email is longer than 254 characters") in reasons
    assert ("loops", "the candidate's email is longer than 254 characters") in reasons
    assert ("scorecards", "a rating's note is longer than 10000 characters") in reasons
    assert "the candidate's email is longer than 254 characters" in output
    assert not Candidate.objects.filter(email__startswith="sssss").exists()
    assert not Scorecard.objects.filter(source_id="211233").exists()
    assert InterviewLoop.objects.exists()  # the other candidate's loop came in
