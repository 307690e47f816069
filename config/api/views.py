"""The schema view (kept apart from schema.py, which DRF's settings import while drf-spectacular loads)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    """/api/schema/: generated once per process, since it depends only on the code.

    Generating it walks every endpoint and serializer (seconds on a busy host),
    and the docs page cannot show anything before it arrives.
    """

    _schemas: dict[tuple[str | None, str | None], Any] = {}

    def _get_schema_response(self, request: Any) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.GET.get("lang"))
        if key not in self._schemas:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self._schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=self._schemas[key], headers={"Content-Disposition": f'inline; filename="{filename}"'})
