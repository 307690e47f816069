from rest_framework.routers import SimpleRouter

from exercises.api.views import ExerciseViewSet

router = SimpleRouter()
router.register("exercises", ExerciseViewSet, basename="exercise")

urlpatterns = router.urls
