"""Tags for the recruiter's busiest pages: markup that Django's widget templates would render far more slowly.

A filter form's select rendered through the form renderer costs a template
render per option (about 3 ms for a five-option select); the pipeline shows
three of them on every request.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
    for option_value, label in field.field.choices:
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
