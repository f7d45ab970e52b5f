from django.urls import path

from . import views

urlpatterns = [
    path("clinics/", views.cases_list, name="clinic_cases"),
    path("clinics/mine/", views.mine, name="clinic_mine"),
    path("clinics/candidates/", views.candidates, name="clinic_candidates"),
    path("clinics/new/", views.open_case, name="clinic_open"),
    path("clinics/cases/<int:pk>/", views.case_detail, name="clinic_case"),
    path("clinics/cases/<int:pk>/diagnosis/", views.diagnosis, name="clinic_diagnosis"),
    path("clinics/cases/<int:pk>/actions/new/", views.action_add, name="clinic_action_add"),
    path(
        "clinics/cases/<int:pk>/actions/<int:item_pk>/",
        views.action_edit,
        name="clinic_action_edit",
    ),
]
