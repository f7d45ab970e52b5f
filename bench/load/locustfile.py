"""The simulated people: the public browsing the directory, searching by name, opening
province and park pages and the home dashboard, the rows behind a figure and the
dashboards' downloads; and provincial officers editing units of their province through the
real form (login, CSRF token, POST, redirect), opening their province's rows pages and its
PDF report.

Run through ``bench/load/run.py`` (it starts the production server and writes the ids
file this reads from ``PISHRAN_LOAD_IDS``)."""

from __future__ import annotations

import json
import os
import random
import re
import time
from html.parser import HTMLParser
from itertools import count
from urllib.parse import quote

from locust import FastHttpUser, HttpUser, between, task
from requests import Response as HttpResponse

IDS = json.loads(open(os.environ["PISHRAN_LOAD_IDS"], encoding="utf-8").read())
HEADERS = {"X-Forwarded-Proto": "https"}  # what nginx adds in front of gunicorn
# Seconds a person spends on a page before the next click (run.py --think MIN,MAX).
THINK = tuple(float(x) for x in os.environ.get("PISHRAN_LOAD_THINK", "2,8").split(","))
# Seconds an officer spends filling in a unit's form before saving it (run.py --form-think):
# reading the unit, changing a figure, checking it. Edits start a new figures version.
FORM_THINK = tuple(float(x) for x in os.environ.get("PISHRAN_LOAD_FORM_THINK", "20,60").split(","))
# The load's officer accounts (bench/load/server.py makes them); each simulated officer
# takes the next one.
LOAD_OFFICER_COUNT = 60
LOAD_OFFICER_PASSWORD = "pishran-officer-1404"
_OFFICERS = count()
# Large Excel files are asked for rarely: one started in the whole site a minute at most
# (an officer whose turn it is not opens the directory instead).
EXPORT_EVERY = 60.0
_last_export = [0.0]
PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٬", "0123456789,")


class PostForms(HTMLParser):
    """The fields of every <form method="post"> as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        values = self._form
        if values is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values[name] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_values(html: str, field: str) -> dict[str, str]:
    """The post form of the page that has ``field`` (not the menu's language or logout forms)."""
    parser = PostForms()
    parser.feed(html)
    for values in parser.forms:
        if field in values:
            return values
    raise ValueError(f"no form with a {field!r} field on the page")


# Figures whose rows pages the visitors open (registry indicators counted in units or jobs).
ROWS_INDICATORS = ("units-active", "units", "jobs", "units-idle")


class Public(FastHttpUser):
    """Anonymous visitors (geventhttpclient: light on the load generator's CPU), each from an
    address of their own as nginx reports it (``X-Forwarded-For``; the server trusts it from
    loopback, ``PISHRAN_TRUSTED_PROXIES``), so the rate limits count them apart as they
    would count real visitors."""

    weight = 9
    wait_time = between(*THINK)
    default_headers = HEADERS

    def on_start(self) -> None:
        n = random.randrange(1, 2**24 - 1)
        self.address = f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"

    def _get(self, url: str, name: str) -> None:
        self.client.get(url, name=name, headers={**HEADERS, "X-Forwarded-For": self.address})

    @task(1)
    def rows(self) -> None:
        key = random.choice(ROWS_INDICATORS)
        province = random.choice(IDS["provinces"])
        self._get(f"/indicators/{key}/rows/?province={province}",
                  "/indicators/<key>/rows/?province")  # fmt: skip

    @task(1)
    def export(self) -> None:
        url, name = random.choice((
            ("/?export=xlsx", "/?export=xlsx (dashboard)"),
            (f"/provinces/{random.choice(IDS['provinces'])}/?export=csv",
             "/provinces/<code>/?export=csv"),
            ("/provinces/?export=xlsx", "/provinces/?export=xlsx (ranking)"),
        ))  # fmt: skip
        self._get(url, name)

    @task(4)
    def directory(self) -> None:
        province = random.choice(IDS["provinces"])
        self.client.get(f"/enterprises/?province={province}", name="/enterprises/?province")

    @task(2)
    def directory_next_page(self) -> None:
        response = self.client.get("/enterprises/", name="/enterprises/")
        found = re.search(r'href="(/enterprises/\?[^"]*after=[^"]+)"', response.text)
        if found:
            url = found.group(1).replace("&amp;", "&")
            self.client.get(url, name="/enterprises/?after (next page)")

    @task(1)
    def search_common_word(self) -> None:
        """The commonest word of the names (the most rows match it), as someone types it."""
        self.client.get(f"/enterprises/?q={quote(IDS['common_word'])}",
                        name="/enterprises/?q (commonest word)")  # fmt: skip

    @task(4)
    def search(self) -> None:
        self.client.get(f"/enterprises/?q={quote(random.choice(IDS['names']))}",
                        name="/enterprises/?q (name search)")  # fmt: skip

    @task(3)
    def enterprise(self) -> None:
        self.client.get(f"/enterprises/{random.choice(IDS['published'])}/",
                        name="/enterprises/<id>/")  # fmt: skip

    @task(2)
    def province(self) -> None:
        self.client.get(f"/provinces/{random.choice(IDS['provinces'])}/",
                        name="/provinces/<code>/")  # fmt: skip

    @task(2)
    def park(self) -> None:
        self.client.get(f"/parks/{random.choice(IDS['parks'])}/", name="/parks/<id>/")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/ (dashboard)")


class Officer(HttpUser):
    """A provincial officer, each with an account of their own (``load-officer-NN``, officer
    of the NN-th province: ``bench/load/server.py``), as in a real office: the per-person
    rate limits count each apart. They edit units of their province through the real form,
    open their province's directory, its rows pages and (rarely) its PDF report, and now and
    then ask for the directory's Excel file written in the background (``ops.exports``):
    start it, follow its progress as the page does (htmx, every 2 s) and download it."""

    weight = 1
    wait_time = between(*THINK)

    def _behind_the_proxy(self) -> None:
        # Session and CSRF cookies are Secure in production; this client speaks plain http
        # to gunicorn on loopback as nginx does after TLS, so its cookie jar must send them
        # anyway. (A cookie policy on the jar would not survive requests' per-request copy.)
        for cookie in self.client.cookies:
            cookie.secure = False

    def _origin(self) -> dict[str, str]:
        origin = self.host.replace("http://", "https://")
        return {"Origin": origin, "Referer": origin + "/"}

    def on_start(self) -> None:
        n = next(_OFFICERS) % LOAD_OFFICER_COUNT + 1
        self.province = IDS["provinces"][(n - 1) % len(IDS["provinces"])]
        self.units = IDS["province_units"][self.province]
        self.client.headers.update(HEADERS)
        login = self.client.get("/accounts/login/", name="/accounts/login/")
        self._behind_the_proxy()
        data = form_values(login.text, "username")
        data.update(username=f"load-officer-{n:02d}", password=LOAD_OFFICER_PASSWORD)
        with self.client.post("/accounts/login/", data=data, headers=self._origin(),
                              allow_redirects=False, catch_response=True,
                              name="/accounts/login/ (POST)") as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        self._behind_the_proxy()

    @task(10)
    def edit(self) -> None:
        pk = random.choice(self.units)
        with self.client.get(f"/enterprises/{pk}/edit/", name="/enterprises/<id>/edit/",
                             catch_response=True) as form:  # fmt: skip
            self._behind_the_proxy()
            try:
                data = form_values(form.text, "employees")
            except ValueError:
                form.failure(f"no edit form (HTTP {form.status_code}, {form.url})")
                return
        time.sleep(random.uniform(*FORM_THINK))  # filling the form in
        employees = int(data.get("employees", "0").translate(PERSIAN_DIGITS).replace(",", "") or 0)
        data["employees"] = str(employees + 1 if employees < 5000 else employees - 1)
        with self.client.post(f"/enterprises/{pk}/edit/", data=data, headers=self._origin(),
                              allow_redirects=False, catch_response=True,
                              name="/enterprises/<id>/edit/ (POST)") as response:  # fmt: skip
            if response.status_code != 302:
                errors = re.findall(r"invalid-feedback[^>]*>([^<]+)", response.text)
                response.failure(f"edit answered {response.status_code} {errors[:3]}")
        self._behind_the_proxy()

    def _get(self, url: str, name: str, **kwargs: object) -> HttpResponse:
        response = self.client.get(url, name=name, **kwargs)
        self._behind_the_proxy()  # the session cookie the answer may have set again
        return response

    @task(3)
    def own_directory(self) -> None:
        self._get(f"/enterprises/?province={self.province}", "/enterprises/?province (staff)")

    @task(3)
    def own_rows(self) -> None:
        """The rows behind a figure of their province, judged from each unit's history."""
        self._get(f"/indicators/{random.choice(ROWS_INDICATORS)}/rows/?province={self.province}",
                  "/indicators/<key>/rows/?province (staff)")  # fmt: skip

    @task(1)
    def own_report(self) -> None:
        self._get(f"/provinces/{self.province}/report/?export=pdf",
                  "/provinces/<code>/report/?export=pdf (staff)")  # fmt: skip

    @task(1)
    def background_export(self) -> None:
        """The directory's Excel file written by the worker: the form the page offers above
        the cap, posted with the province's filter; the progress followed until it is ready
        (at most a minute), then the file."""
        if time.monotonic() - _last_export[0] < EXPORT_EVERY:
            self.own_directory()
            return
        _last_export[0] = time.monotonic()
        page = self._get(f"/enterprises/?province={self.province}",
                         "/enterprises/?province (staff)")  # fmt: skip
        token = form_values(page.text, "csrfmiddlewaretoken")["csrfmiddlewaretoken"]
        with self.client.post("/downloads/new/", name="/downloads/new/ (POST)",
                              data={"csrfmiddlewaretoken": token, "province": self.province},
                              headers=self._origin(), allow_redirects=False,
                              catch_response=True) as started:  # fmt: skip
            if started.status_code != 302:
                started.failure(f"background export answered {started.status_code}")
                return
            job = started.headers["Location"]
        self._behind_the_proxy()
        for _ in range(30):
            time.sleep(2)
            progress = self._get(job, "/downloads/<id>/ (progress, htmx)",
                                 headers={"HX-Request": "true"})  # fmt: skip
            found = re.search(r'href="(/downloads/\d+/file/)"', progress.text)
            if found:
                self._get(found.group(1), "/downloads/<id>/file/ (XLSX)")
                return
