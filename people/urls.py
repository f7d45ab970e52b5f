from django.urls import path

from . import views

# The people and roles pages, mounted at /people/ (pishran/urls.py).
urlpatterns = [
    path("", views.people_index, name="people_index"),
    path("person/<int:pk>/", views.person_detail, name="person_detail"),
    path("person/<int:pk>/grants/new/", views.person_grant_give, name="person_grant_give"),
    path("person/<int:pk>/active/", views.person_activate, name="person_activate"),
    path("person/<int:pk>/password/", views.person_password, name="person_password"),
    path("grants/<int:pk>/withdraw/", views.grant_withdraw, name="grant_withdraw"),
    path("<str:code>/", views.people_province, name="people_province"),
    path("<str:code>/new/", views.person_create, name="person_create"),
]
