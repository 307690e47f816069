"""Load rubric files (YAML or JSON) idempotently; a bad file is refused whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hiring.models import User
from scorecards.questions.seed import SeedError, questions_seed
from scorecards.rubrics.io import RubricFileError, read_rubric_file, validate_rubric
from scorecards.rubrics.services import rubric_publish

DEFAULT_DIR = Path(settings.BASE_DIR) / "fixtures" / "rubrics"


class Command(BaseCommand):
    help = "Load role rubrics and exercises. With no PATH, loads every file in fixtures/rubrics/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="Rubric files (.yaml, .yml or .json) or folders of them.")
        parser.add_argument(
            "--actor", metavar="USERNAME",
            help="The admin publishing: recorded as the rubrics' publisher and in the audit trail. "
            "Without it the audit trail shows the system (e.g. a deploy script).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["actor"])
        files = _expand(options["paths"] or [str(DEFAULT_DIR)])
        if not files:
            raise CommandError("No rubric files found (looked for .yaml, .yml and .json).")
        specs = []
        problems: list[str] = []
        slugs: dict[str, Path] = {}
        for path in files:
            try:
                spec = validate_rubric(read_rubric_file(path), str(path))
            except RubricFileError as exc:
                problems.extend(f"{exc.source}: {problem}" for problem in exc.problems)
                continue
            slug = spec["role"]["slug"]
            if slug in slugs:
                problems.append(f"{path}: role.slug {slug!r} is also defined in {slugs[slug]}")
            slugs[slug] = path
            specs.append((path, spec))
        if problems:
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(problems))
        # All or nothing: every file was validated above, and they are published together.
        with transaction.atomic():
            results = [(path, *rubric_publish(spec=spec, actor=actor)) for path, spec in specs]
            try:
                seeded = [questions_seed(role=rubric.role, spec=spec) for (_, rubric, _), (_, spec) in
                          zip(results, specs, strict=True)]
            except SeedError as exc:
                raise CommandError(f"Nothing was loaded: {exc}") from exc
        for (path, rubric, created), (new_questions, _) in zip(results, seeded, strict=True):
            state = "published" if created else "unchanged"
            self.stdout.write(f"{rubric.role.slug}: version {rubric.version} {state} ({path.name}); "
                              f"{new_questions} new questions")


def _actor(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--actor: there is no user {username!r}.")
    if not user.is_hireloop_admin:
        raise CommandError(f"--actor: {username!r} is not an admin; only admins publish rubrics.")
    return user


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json")))
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"{raw}: no such file or folder")
    return files
