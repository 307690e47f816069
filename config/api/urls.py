"""The API's URLs: /api/v1/ (every app's endpoints), /api/schema/ (OpenAPI 3) and /api/docs/ (its reference).

The docs page is rendered on the server from the schema (config/api/docs.py says why not Swagger UI).
"""

from django.urls import URLPattern, URLResolver, include, path, re_path

from config.api.docs import api_docs
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
    path("docs/", api_docs, name="api-docs"),
]
