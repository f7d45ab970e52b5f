from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.my_dashboard, name="my_dashboard"),
    path("provinces/", views.province_list, name="province_list"),
    path("provinces/<str:code>/", views.province_detail, name="province_detail"),
    path("provinces/<str:code>/report/", views.province_report, name="province_report"),
    path("parks/", views.park_list, name="park_list"),
    path("parks/by-province/", views.park_counts, name="park_counts"),
    path("parks/units-by-kind/", views.park_kind_units, name="park_kind_units"),
    path("parks/<int:pk>/", views.park_detail, name="park_detail"),
    path("indicators/", views.catalogue, name="indicator_catalogue"),
    path("indicators/<slug:key>/rows/", views.indicator_rows, name="indicator_rows"),
    path("indicators/<slug:key>/cluster-rows/", views.cluster_rows, name="cluster_rows"),
    path("indicators/<slug:key>/clinic-rows/", views.clinic_rows, name="clinic_rows"),
    path("indicators/<slug:key>/finance-rows/", views.finance_rows, name="finance_rows"),
    path("stats/", views.stats, name="stats"),
    path("targets/", views.targets, name="targets"),
]
