from django.urls import path

from . import views

urlpatterns = [
    path("open/", views.open_data, name="open_data"),
    path("open/manifest.json", views.open_manifest, name="open_manifest"),
    path("open/<slug:dataset>.<slug:fmt>", views.open_download, name="open_download"),
]
