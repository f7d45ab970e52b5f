from django.urls import path

from . import views

urlpatterns = [
    path("clusters/", views.directory, name="cluster_directory"),
    path("clusters/national/", views.national, name="cluster_national"),
    path("clusters/new/", views.create, name="cluster_create"),
    path("clusters/<int:pk>/", views.detail, name="cluster_detail"),
    path("clusters/<int:pk>/edit/", views.edit, name="cluster_edit"),
    path("clusters/<int:pk>/stage/", views.stage, name="cluster_stage"),
    path("clusters/<int:pk>/year/", views.next_year, name="cluster_year"),
    path("clusters/<int:pk>/suspend/", views.suspend, name="cluster_suspend"),
    path("clusters/<int:pk>/resume/", views.resume, name="cluster_resume"),
    path("clusters/<int:pk>/members/new/", views.member_add, name="cluster_member_add"),
    path("clusters/<int:pk>/documents/new/", views.document_upload, name="cluster_document_upload"),
    path(
        "clusters/<int:pk>/documents/<int:doc_pk>/",
        views.document_download,
        name="cluster_document",
    ),
    path("clusters/<int:pk>/actions/new/", views.action_add, name="cluster_action_add"),
    path("clusters/<int:pk>/actions/<int:item_pk>/", views.action_edit, name="cluster_action_edit"),
    path("clusters/<int:pk>/plan/approve/", views.plan_approve, name="cluster_plan_approve"),
    path("clusters/<int:pk>/evaluation/", views.evaluation, name="cluster_evaluation"),
    path("clusters/<int:pk>/visits/new/", views.visit_add, name="cluster_visit_add"),
]
