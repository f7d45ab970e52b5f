from django.urls import path

from . import views

urlpatterns = [
    path("finance/", views.referrals, name="finance_referrals"),
    path("finance/new/", views.introduce, name="finance_introduce"),
    path("finance/referrals/<int:pk>/", views.referral_detail, name="finance_referral_case"),
    path("finance/referrals/<int:pk>/decision/", views.decide, name="finance_decide"),
    path("finance/referrals/<int:pk>/payment/", views.pay, name="finance_pay"),
    path("market/", views.pipeline, name="capital_pipeline"),
    path("market/new/", views.listing_introduce, name="capital_introduce"),
    path("market/readiness/", views.readiness, name="capital_readiness"),
    path("market/files/<int:pk>/", views.listing_detail, name="capital_listing_case"),
    path("market/files/<int:pk>/details/", views.listing_update, name="capital_listing_update"),
]
