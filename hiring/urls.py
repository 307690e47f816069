from django.urls import path

from hiring.views import audit, calendar, candidates, loops, pipeline

app_name = "hiring"

urlpatterns = [
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("candidates/", candidates.candidate_list, name="candidate-list"),
    path("candidates/new/", candidates.candidate_create, name="candidate-create"),
    path("candidates/<int:pk>/", candidates.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/edit/", candidates.candidate_edit, name="candidate-edit"),
    path("candidates/<int:pk>/summary/", candidates.candidate_summary, name="candidate-summary"),
    path("loops/new/", loops.loop_create, name="loop-create"),
    path("loops/<int:pk>/", loops.loop_detail, name="loop-detail"),
    path("loops/<int:pk>/people/", loops.loop_assign, name="loop-assign"),
    path("loops/<int:pk>/withdraw/", loops.loop_withdraw, name="loop-withdraw"),
    path("loops/<int:pk>/interviews/new/", loops.interview_create, name="interview-create"),
    path("interviews/<int:pk>/reassign/", loops.interview_reassign, name="interview-reassign"),
    path("interviews/<int:pk>/reschedule/", loops.interview_reschedule, name="interview-reschedule"),
    path("interviews/<int:pk>/cancel/", loops.interview_cancel, name="interview-cancel"),
    path("loops/<int:pk>/candidate-invites/", loops.loop_candidate_invites, name="loop-candidate-invites"),
    # No session: calendar apps fetch it with the token alone.
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
]
