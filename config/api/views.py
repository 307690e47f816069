"""The schema view (kept apart from schema.py, which DRF's settings import while drf-spectacular loads)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

# Generated once per process, since it depends only on the code: generating it walks every endpoint and
# serializer (seconds on a busy host), and neither the schema nor the docs page can answer before.
_schemas: dict[tuple[str | None, str | None], Any] = {}


def schema_for(request: HttpRequest, version: str | None = None, generate: Any = None) -> Any:
    """The OpenAPI schema (as a dict) of this API version and language, generated on first use."""
    key = (version, request.GET.get("lang"))
    if key not in _schemas:
        if generate is None:
            generator = SchemaGenerator(api_version=version)
            generate = lambda: generator.get_schema(request=request, public=spectacular_settings.SERVE_PUBLIC)  # noqa: E731
        _schemas[key] = generate()
    return _schemas[key]


class CachedSchemaView(SpectacularAPIView):
    """/api/schema/: the schema, from the per-process cache the docs page (config/api/docs.py) shares."""

    def _get_schema_response(self, request: Any) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)

        def generate() -> Any:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            return generator.get_schema(request=request, public=self.serve_public)

        filename = self._get_filename(request, version)
        return Response(data=schema_for(request, version, generate),
                        headers={"Content-Disposition": f'inline; filename="{filename}"'})
