"""The API's URLs: /api/v1/ (every app's endpoints), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI).

The docs page is the split variant: its start-up script is a separate file, not an inline script, so the
site's content security policy (scripts from this site only) holds there too; the Swagger UI assets are
served from drf-spectacular-sidecar, so the page needs no CDN.
"""

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from config.api.errors import api_not_found
from config.api.views import CachedSchemaView

v1: list[URLPattern | URLResolver] = [
    path("", include("hiring.api.urls")),
    path("", include("scorecards.api.urls")),
    path("", include("exercises.api.urls")),
    path("", include("integrations.api.urls")),
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", CachedSchemaView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="hiring/api_docs.html"),
        name="api-docs",
    ),
]
