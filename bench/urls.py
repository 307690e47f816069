"""The product's URLs plus the floor views; used only by benchmark runs (``bench.settings``)."""

from django.urls import include, path

from bench import floors

urlpatterns = [
    path("bench/floor/constant/", floors.constant, name="bench-constant"),
    path("bench/floor/pipeline/", floors.page_pipeline, name="bench-pipeline"),
    path("bench/floor/candidate/<int:candidate_id>/", floors.page_candidate, name="bench-candidate"),
    path("bench/floor/submit/<int:interview_id>/", floors.submit_transaction, name="bench-submit"),
    path("", include("config.urls")),
]
