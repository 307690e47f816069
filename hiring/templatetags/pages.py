"""Tags for the recruiter's busiest pages: markup that Django's widget templates would render far more slowly.

A filter form's select rendered through the form renderer costs a template
render per option (about 3 ms for a five-option select); the pipeline shows
three of them on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import template
from django.forms import BoundField, ChoiceField, ModelChoiceField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.simple_tag
def select_field(field: BoundField) -> SafeString:
    """The same <select> as ``{{ field }}`` for a plain Select widget: name, id, options, the chosen one selected.

    The page renders no error text for the filters, so no aria-describedby either.
    """
    value = field.value()
    current = "" if value is None else str(value)
    options = []
    chosen = False
    # The pages use the tag for their choice filters only.
    for option_value, label in _choices(cast(ChoiceField, field.field)):
        option = str(option_value)
        selected = not chosen and option == current
        chosen = chosen or selected
        options.append((option, " selected" if selected else "", label))
    return format_html(
        '<select name="{}"{} id="{}">{}</select>',
        field.html_name,
        # A malformed value is ignored (the filter falls back to its default) but still marked, as Django does.
        ' aria-invalid="true"' if field.errors else "",
        field.auto_id,
        format_html_join("", '<option value="{}"{}>{}</option>', options),
    )


def _choices(field: ChoiceField) -> Iterable[tuple[Any, StrOrPromise]]:
    """A field's choices; a model choice field's read with one plain query.

    Django's ModelChoiceIterator reads its queryset with .iterator(), which on
    PostgreSQL is a server-side cursor: DECLARE, FETCH and CLOSE, three round
    trips for a handful of rows.
    """
    if not isinstance(field, ModelChoiceField):
        # Flat choices (no groups), which Django normalises to (value, label) pairs.
        return cast("Iterable[tuple[Any, StrOrPromise]]", field.choices)
    empty: list[tuple[Any, StrOrPromise]] = [("", field.empty_label)] if field.empty_label is not None else []
    # The filter form's model choice fields are all declared with a queryset.
    queryset = cast("QuerySet[Any]", field.queryset)
    return empty + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset]
