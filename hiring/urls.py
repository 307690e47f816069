from django.urls import path

from hiring import audit_views

app_name = "hiring"

urlpatterns = [
    path("audit/", audit_views.audit_list, name="audit-list"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
]
