from django.urls import path
from rest_framework.routers import SimpleRouter

from scorecards.api.calibration import CalibrationReportViewSet
from scorecards.api.questions import QuestionViewSet
from scorecards.api.recommendations import (
    LoopRecommendationRecomputeView,
    LoopRecommendationView,
    LoopWhatIfView,
    RecommendationViewSet,
)
from scorecards.api.rubrics import RubricDraftViewSet, RubricViewSet
from scorecards.api.scorecards import ScorecardViewSet

router = SimpleRouter()
router.register("rubric-drafts", RubricDraftViewSet, basename="rubric-draft")
router.register("rubrics", RubricViewSet, basename="rubric")
router.register("questions", QuestionViewSet, basename="question")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("calibration-reports", CalibrationReportViewSet, basename="calibration-report")

urlpatterns = [
    path("loops/<int:loop_id>/recommendation/", LoopRecommendationView.as_view(), name="loop-recommendation"),
    path(
        "loops/<int:loop_id>/recommendation/recompute/",
        LoopRecommendationRecomputeView.as_view(),
        name="loop-recommendation-recompute",
    ),
    path("loops/<int:loop_id>/what-if/", LoopWhatIfView.as_view(), name="loop-what-if"),
    *router.urls,
]
