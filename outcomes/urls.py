from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("checkins/", views.checkin_list, name="checkins"),
    path("checkins/<int:pk>/", views.checkin_form, name="checkin"),
    path("loops/<int:loop_id>/start/", views.hire_start, name="hire-start"),
    path("roles/<int:role_id>/setup/", views.outcome_setup, name="setup"),
    path("validity/", views.validity_list, name="validity"),
    path("validity/<int:pk>/", views.validity_detail, name="validity-detail"),
    path("validity/<int:pk>/download/<str:fmt>/", views.validity_download, name="validity-download"),
]
