from django.urls import path

from ops import views

urlpatterns = [
    path("health/", views.health_view, name="health"),
    path("downloads/new/", views.export_start, name="export_start"),
    path("downloads/<int:pk>/", views.export_job, name="export_job"),
    path("downloads/<int:pk>/file/", views.export_download, name="export_download"),
]
