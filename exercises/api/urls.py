from django.urls import path
from rest_framework.routers import SimpleRouter

from exercises.api.take_homes import InterviewExerciseView, SubmissionViewSet, TakeHomeViewSet
from exercises.api.views import ExerciseViewSet

router = SimpleRouter()
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("take-homes", TakeHomeViewSet, basename="take-home")
router.register("take-home-submissions", SubmissionViewSet, basename="take-home-submission")

urlpatterns = [
    path("interviews/<int:pk>/exercise/", InterviewExerciseView.as_view(), name="interview-exercise"),
    *router.urls,
]
