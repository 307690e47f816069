from django.urls import path

app_name = "scorecards"

urlpatterns: list = []
