from django.urls import path

from exercises import views

app_name = "exercises"

urlpatterns = [
    path("", views.library, name="library"),
    path("roles/<slug:slug>/", views.role_library, name="role"),
    path("roles/<slug:slug>/new/", views.exercise_create, name="exercise-create"),
    path("<int:pk>/", views.exercise_detail, name="exercise-detail"),
    path("<int:pk>/edit/", views.exercise_edit, name="exercise-edit"),
    path("take-homes/", views.assignment_list, name="assignment-list"),
    path("take-homes/<int:pk>/", views.assignment_detail, name="assignment-detail"),
    path("take-homes/<int:pk>/extend/", views.extend, name="assignment-extend"),
    path("take-homes/<int:pk>/new-link/", views.reissue, name="assignment-reissue"),
    path("submissions/<int:pk>/download/", views.submission_download, name="submission-download"),
    path("loops/<int:loop_id>/", views.loop_exercises, name="loop-exercises"),
    path("loops/<int:loop_id>/take-home/", views.assign, name="assign"),
    path("loops/<int:loop_id>/live/", views.attach, name="attach"),
    # The candidate's private page: no account, the token is the key.
    path("take-home/<str:token>/", views.take_home, name="take-home"),
]
