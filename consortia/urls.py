from django.urls import path

from . import views

urlpatterns = [
    path("consortia/", views.consortium_list, name="consortium_list"),
    path("consortia/new/", views.consortium_new, name="consortium_new"),
    path("consortia/caps/", views.caps, name="consortium_caps"),
    path("consortia/<int:pk>/", views.consortium_detail, name="consortium_detail"),
    path("consortia/<int:pk>/members/new/", views.member_new, name="consortium_member_add"),
    path(
        "consortia/<int:pk>/members/<int:member_pk>/leave/",
        views.member_leave,
        name="consortium_member_remove",
    ),
    path("consortia/<int:pk>/readiness/", views.readiness_new, name="consortium_readiness"),
    path(
        "consortia/<int:pk>/readiness/<int:doc_pk>/file/",
        views.readiness_file,
        name="consortium_readiness_file",
    ),
    path("consortia/<int:pk>/exports/", views.exports_new, name="consortium_exports"),
    path("consortia/<int:pk>/support/", views.support_new, name="consortium_support"),
]
