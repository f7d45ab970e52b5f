from django.urls import path

from . import views

urlpatterns = [
    path("parks/new/", views.park_create, name="park_create"),
    path("parks/<int:pk>/edit/", views.park_edit, name="park_edit"),
]
