from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint-list"),
    path("endpoints/new/", views.endpoint_create_page, name="endpoint-create"),
    path("endpoints/<int:pk>/", views.endpoint_detail, name="endpoint-detail"),
    path("endpoints/<int:pk>/edit/", views.endpoint_edit, name="endpoint-edit"),
    path("endpoints/<int:pk>/enable/", views.endpoint_enable_page, name="endpoint-enable"),
    path("endpoints/<int:pk>/disable/", views.endpoint_disable_page, name="endpoint-disable"),
    path("endpoints/<int:pk>/secret/", views.endpoint_rotate_secret_page, name="endpoint-rotate-secret"),
    path("endpoints/<int:pk>/delete/", views.endpoint_delete_page, name="endpoint-delete"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver_page, name="delivery-redeliver"),
]
