from rest_framework.routers import SimpleRouter

from hiring.api.audit import AuditEventViewSet
from hiring.api.views import CandidateViewSet, InterviewViewSet, LoopViewSet, RoleViewSet, UserViewSet

router = SimpleRouter()
router.register("roles", RoleViewSet, basename="role")
router.register("users", UserViewSet, basename="user")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("loops", LoopViewSet, basename="loop")
router.register("interviews", InterviewViewSet, basename="interview")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
