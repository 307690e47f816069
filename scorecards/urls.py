from django.urls import path

from scorecards import views_committee

app_name = "scorecards"

urlpatterns: list = []

urlpatterns += [
    path("committee/", views_committee.loop_list, name="committee-loops"),
    path("committee/loops/<int:pk>/", views_committee.loop_detail, name="committee-loop"),
]
