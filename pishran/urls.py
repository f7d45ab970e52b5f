from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("people/", include("people.urls")),
    path("api/", include("api.urls")),
    path("", include("ops.urls")),
    path("", include("indicators.urls")),
    path("", include("places.urls")),
    path("", include("enterprises.urls")),
    path("", include("clusters.urls")),
    path("", include("cases.urls")),
    path("", include("clinics.urls")),
    path("", include("finance.urls")),
    path("", include("consortia.urls")),
    path("", include("imports.urls")),
    path("", include("opendata.urls")),
]
