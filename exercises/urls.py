from django.urls import path

from exercises.views import interview_kits, library, take_home_candidate, take_home_staff

app_name = "exercises"

urlpatterns = [
    path("", library.library, name="library"),
    path("roles/<slug:slug>/", library.role_library, name="role"),
    path("roles/<slug:slug>/new/", library.exercise_create, name="exercise-create"),
    path("<int:pk>/", library.exercise_detail, name="exercise-detail"),
    path("<int:pk>/edit/", library.exercise_edit, name="exercise-edit"),
    path("take-homes/", take_home_staff.assignment_list, name="assignment-list"),
    path("take-homes/<int:pk>/", take_home_staff.assignment_detail, name="assignment-detail"),
    path("take-homes/<int:pk>/extend/", take_home_staff.extend, name="assignment-extend"),
    path("take-homes/<int:pk>/new-link/", take_home_staff.reissue, name="assignment-reissue"),
    path("submissions/<int:pk>/download/", take_home_staff.submission_download, name="submission-download"),
    path("loops/<int:loop_id>/", take_home_staff.loop_exercises, name="loop-exercises"),
    path("loops/<int:loop_id>/take-home/", take_home_staff.assign, name="assign"),
    path("loops/<int:loop_id>/live/", interview_kits.attach, name="attach"),
    # The candidate's private page: no account, the token is the key.
    path("take-home/<str:token>/", take_home_candidate.take_home, name="take-home"),
]
