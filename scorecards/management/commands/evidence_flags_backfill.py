"""Store the evidence hints of scorecards submitted before the hints existed, for the calibration report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from scorecards.services.evidence_flags import evidence_flags_backfill


class Command(BaseCommand):
    help = "Check submitted scorecards that have no evidence hints stored yet (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, written = evidence_flags_backfill()
        self.stdout.write(f"{checked} scorecards checked, {written} evidence hints stored.")
