from django.urls import path

from scorecards.views import calibration, committee, interviews, questions, rubric_editor, rubrics, scorecard

app_name = "scorecards"

urlpatterns: list = []

urlpatterns += [
    path("calibration/", calibration.report_list, name="report-list"),
    path("calibration/<int:pk>/", calibration.report_detail, name="report-detail"),
    path("calibration/<int:pk>/status/", calibration.report_status, name="report-status"),
    path("calibration/<int:pk>/retry/", calibration.report_retry, name="report-retry"),
    path("calibration/<int:pk>/charts/<slug:name>.svg", calibration.report_chart, name="report-chart"),
    path("calibration/<int:pk>/download/<slug:fmt>/", calibration.report_download, name="report-download"),
]

urlpatterns += [
    path("committee/", committee.loop_list, name="committee-loops"),
    path("committee/loops/<int:pk>/", committee.loop_detail, name="committee-loop"),
]

# The interviewer's pages and the read-only rubric pages.
urlpatterns += [
    path("interviews/", interviews.my_interviews_page, name="my-interviews"),
    path("interviews/<int:interview_id>/kit/", interviews.interview_kit, name="interview-kit"),
    path("interviews/<int:interview_id>/notes/", interviews.interview_notes, name="interview-notes"),
    path("interviews/<int:interview_id>/scorecard/", scorecard.scorecard_edit, name="scorecard-edit"),
    path("interviews/<int:interview_id>/scorecard/amend/", scorecard.scorecard_amend_page,
         name="scorecard-amend"),
    path("interviews/<int:interview_id>/panel/", interviews.panel, name="panel"),
    path("loops/<int:pk>/questions/", questions.loop_questions, name="loop-questions"),
    path("questions/", questions.question_list, name="question-list"),
    path("questions/new/<slug:slug>/", questions.question_create_page, name="question-create"),
    path("questions/<int:pk>/edit/", questions.question_edit_page, name="question-edit"),
    path("questions/<int:pk>/retire/", questions.question_retire_page, name="question-retire"),
    path("rubrics/", rubrics.rubric_list, name="rubric-list"),
    path("rubrics/<slug:slug>/", rubrics.rubric_detail, name="rubric-detail"),
    path("rubrics/<slug:slug>/edit/", rubric_editor.rubric_edit, name="rubric-edit"),
    path("rubrics/<slug:slug>/edit/review/", rubric_editor.rubric_review, name="rubric-review"),
    path("rubrics/<slug:slug>/edit/discard/", rubric_editor.rubric_discard, name="rubric-discard"),
]
