from django.urls import path

from hiring import audit_views, views

app_name = "hiring"

urlpatterns = [
    path("pipeline/", views.pipeline, name="pipeline"),
    path("candidates/", views.candidate_list, name="candidate-list"),
    path("candidates/new/", views.candidate_create, name="candidate-create"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="candidate-edit"),
    path("candidates/<int:pk>/summary/", views.candidate_summary, name="candidate-summary"),
    path("loops/new/", views.loop_create, name="loop-create"),
    path("loops/<int:pk>/", views.loop_detail, name="loop-detail"),
    path("loops/<int:pk>/people/", views.loop_assign, name="loop-assign"),
    path("loops/<int:pk>/withdraw/", views.loop_withdraw, name="loop-withdraw"),
    path("loops/<int:pk>/interviews/new/", views.interview_create, name="interview-create"),
    path("interviews/<int:pk>/reassign/", views.interview_reassign, name="interview-reassign"),
    path("audit/", audit_views.audit_list, name="audit-list"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
]
