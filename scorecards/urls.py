from django.urls import path

from scorecards import views, views_calibration, views_committee, views_scorecard

app_name = "scorecards"

urlpatterns: list = []

urlpatterns += [
    path("calibration/", views_calibration.report_list, name="report-list"),
    path("calibration/<int:pk>/", views_calibration.report_detail, name="report-detail"),
    path("calibration/<int:pk>/status/", views_calibration.report_status, name="report-status"),
    path("calibration/<int:pk>/charts/<slug:name>.svg", views_calibration.report_chart, name="report-chart"),
    path("calibration/<int:pk>/download/<slug:fmt>/", views_calibration.report_download, name="report-download"),
]

urlpatterns += [
    path("committee/", views_committee.loop_list, name="committee-loops"),
    path("committee/loops/<int:pk>/", views_committee.loop_detail, name="committee-loop"),
]

# The interviewer's pages and the read-only rubric pages.
urlpatterns += [
    path("interviews/", views.my_interviews_page, name="my-interviews"),
    path("interviews/<int:interview_id>/kit/", views.interview_kit, name="interview-kit"),
    path("interviews/<int:interview_id>/scorecard/", views_scorecard.scorecard_edit, name="scorecard-edit"),
    path("interviews/<int:interview_id>/scorecard/amend/", views_scorecard.scorecard_amend_page,
         name="scorecard-amend"),
    path("interviews/<int:interview_id>/panel/", views.panel, name="panel"),
    path("rubrics/", views.rubric_list, name="rubric-list"),
    path("rubrics/<slug:slug>/", views.rubric_detail, name="rubric-detail"),
]
