from django.urls import path

from . import views
from .main import api

# Mounted at /api/ (pishran/urls.py): the API's version 1, and the token pages.
urlpatterns = [
    path("v1/", api.urls),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
