from django.urls import path
from rest_framework.routers import SimpleRouter

from scorecards.api.views import (
    LoopRecommendationRecomputeView,
    LoopRecommendationView,
    RecommendationViewSet,
    RubricViewSet,
    ScorecardViewSet,
)

router = SimpleRouter()
router.register("rubrics", RubricViewSet, basename="rubric")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("recommendations", RecommendationViewSet, basename="recommendation")

urlpatterns = [
    path("loops/<int:loop_id>/recommendation/", LoopRecommendationView.as_view(), name="loop-recommendation"),
    path(
        "loops/<int:loop_id>/recommendation/recompute/",
        LoopRecommendationRecomputeView.as_view(),
        name="loop-recommendation-recompute",
    ),
    *router.urls,
]
