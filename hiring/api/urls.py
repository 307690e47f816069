from rest_framework.routers import SimpleRouter

from hiring.api.audit import AuditEventViewSet
from hiring.api.candidates import CandidateViewSet
from hiring.api.loops import InterviewViewSet, LoopViewSet
from hiring.api.people import RoleViewSet, UserViewSet

router = SimpleRouter()
router.register("roles", RoleViewSet, basename="role")
router.register("users", UserViewSet, basename="user")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("loops", LoopViewSet, basename="loop")
router.register("interviews", InterviewViewSet, basename="interview")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
