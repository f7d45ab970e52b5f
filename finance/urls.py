from django.urls import path

from . import views

urlpatterns = [
    path("finance/", views.referrals, name="finance_referrals"),
    path("finance/new/", views.introduce, name="finance_introduce"),
    path("finance/referrals/<int:pk>/", views.referral_detail, name="finance_referral_case"),
    path("finance/referrals/<int:pk>/decision/", views.decide, name="finance_decide"),
    path("finance/referrals/<int:pk>/payment/", views.pay, name="finance_pay"),
]
