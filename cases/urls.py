from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/stage/", views.stage, name="case_stage"),
    path("cases/<int:pk>/assign/", views.assign, name="case_assign"),
    path("cases/<int:pk>/transfer/", views.transfer, name="case_transfer"),
    path("cases/<int:pk>/due/", views.due, name="case_due"),
    path("cases/<int:pk>/follow-ups/new/", views.follow_up_add, name="case_follow_up_add"),
    path(
        "cases/<int:pk>/follow-ups/<int:item_pk>/done/",
        views.follow_up_done,
        name="case_follow_up_done",
    ),
    path("cases/<int:pk>/notes/new/", views.note_add, name="case_note_add"),
    path("cases/<int:pk>/documents/new/", views.document_upload, name="case_document_upload"),
    path("cases/<int:pk>/documents/<int:doc_pk>/", views.document_download, name="case_document"),
]
