from django.urls import path

from . import views

urlpatterns = [
    path("enterprises/", views.directory, name="enterprise_directory"),
    path("enterprises/count/", views.directory_count, name="enterprise_directory_count"),
    path("enterprises/new/", views.create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/status/", views.change_status, name="enterprise_status"),
    path("enterprises/<int:pk>/move/", views.move, name="enterprise_move"),
    path(
        "enterprises/<int:pk>/history/<int:event_pk>/correct/",
        views.correct_event,
        name="enterprise_event_correct",
    ),
    path(
        "enterprises/<int:pk>/history/revoke/", views.revoke_event, name="enterprise_event_revoke"
    ),
]
