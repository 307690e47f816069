from django.urls import path

app_name = "exercises"

urlpatterns: list = []
