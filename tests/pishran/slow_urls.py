"""A URL configuration for tests/pishran/test_statement_timeout.py: one page whose query
sleeps (PostgreSQL's pg_sleep), so that the statement timeout cancels it."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path


def slow(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("done")


urlpatterns = [path("slow/", slow, name="slow")]
