"""Import runs in the admin, read-only and for Hireloop's admins only: what each run created, updated and
skipped, the attributes it could not map, and why a refused run was refused."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hiring.admin.readonly import ReadOnlyAdminMixin
from imports.models import ImportRun
from imports.services.rows import KINDS


def _in_order(counts: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    # PostgreSQL's jsonb keeps no key order: the kinds are shown in the order the import writes them.
    return [(kind, counts[kind]) for kind in KINDS if kind in counts]


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_hireloop_admin", False))


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs are written by ``import_history`` only; nobody edits one here."""

    list_display = ("id", "source", "status", "started_at", "started_by", "created_summary", "skipped_total",
                    "unmapped_total", "problem_total")
    list_filter = ("source", "status")
    list_select_related = ("started_by",)
    fields = ("source", "status", "directory", "mapping_file", "fetched", "started_by", "started_at", "finished_at",
              "counts_table", "skipped_table", "unmapped_table", "problems_table")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    @admin.display(description="created")
    def created_summary(self, run: ImportRun) -> str:
        parts = [f"{counts.get('created', 0):,} {kind}" for kind, counts in _in_order(run.counts)
                 if counts.get("created")]
        return ", ".join(parts) or "-"

    @admin.display(description="skipped")
    def skipped_total(self, run: ImportRun) -> int:
        return sum(entry.get("count", 0) for entry in run.skipped)

    @admin.display(description="unmapped attributes")
    def unmapped_total(self, run: ImportRun) -> int:
        return len(run.unmapped)

    @admin.display(description="problems")
    def problem_total(self, run: ImportRun) -> int:
        return len(run.problems)

    @admin.display(description="What the run did")
    def counts_table(self, run: ImportRun) -> SafeString:
        columns = ("created", "matched by email", "updated", "unchanged", "skipped")
        head = format_html_join("", "<th scope='col'>{}</th>", ((c,) for c in columns))
        body = format_html_join("", "<tr><th scope='row'>{}</th>{}</tr>", (
            (kind, format_html_join("", "<td>{}</td>", ((f"{counts.get(c, 0):,}",) for c in columns)))
            for kind, counts in _in_order(run.counts)
        ))
        return format_html("<table><thead><tr><td></td>{}</tr></thead><tbody>{}</tbody></table>", head, body)

    @admin.display(description="Skipped, and why")
    def skipped_table(self, run: ImportRun) -> SafeString:
        return _list(run.skipped, "{count} {kind}: {reason} (e.g. {examples})", empty="Nothing skipped.")

    @admin.display(description="Attributes not imported")
    def unmapped_table(self, run: ImportRun) -> SafeString:
        return _list(run.unmapped, "job {job} “{job_name}”: “{attribute}”, {ratings} rating(s), {why}",
                     empty="Every attribute was mapped to a dimension.")

    @admin.display(description="Problems")
    def problems_table(self, run: ImportRun) -> SafeString:
        return _list(run.problems, "{file}, {record}: {message}", empty="None.")


def _list(entries: list[dict[str, Any]], line: str, *, empty: str) -> SafeString:
    if not entries:
        return format_html("<span>{}</span>", empty)
    items = []
    for entry in entries:
        values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in entry.items()}
        items.append((line.format(**values),))
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items))
