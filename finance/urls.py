from django.urls import path

from . import views

urlpatterns = [
    path("finance/", views.referrals, name="finance_referrals"),
    path("finance/new/", views.introduce, name="finance_introduce"),
    path("finance/referrals/<int:pk>/", views.referral_detail, name="finance_referral_case"),
    path("finance/referrals/<int:pk>/decision/", views.decide, name="finance_decide"),
    path("finance/referrals/<int:pk>/payment/", views.pay, name="finance_pay"),
    path("finance/certificates/", views.certificates, name="finance_certificates"),
    path("finance/certificates/new/", views.certificate_new, name="finance_certificate_new"),
    path("finance/certificates/<int:pk>/", views.certificate_detail, name="finance_certificate"),
    path(
        "finance/certificates/<int:pk>/pass/",
        views.certificate_pass_on,
        name="finance_certificate_pass",
    ),
    path(
        "finance/certificates/<int:pk>/discount/",
        views.certificate_discount_at_bank,
        name="finance_certificate_discount",
    ),
    path("finance/chains/<int:pk>/", views.buyer_chain, name="finance_chain"),
    path("market/", views.pipeline, name="capital_pipeline"),
    path("market/new/", views.listing_introduce, name="capital_introduce"),
    path("market/readiness/", views.readiness, name="capital_readiness"),
    path("market/files/<int:pk>/", views.listing_detail, name="capital_listing_case"),
    path("market/files/<int:pk>/details/", views.listing_update, name="capital_listing_update"),
]
