"""The address a request came from, for the failed-login throttle (``AXES_CLIENT_IP_CALLABLE``).

Behind the reverse proxy of docs/deploy.md every request comes from the proxy; the client's
address is in ``X-Forwarded-For``. The header is believed only when the request comes from an
address in ``PISHRAN_TRUSTED_PROXIES``; anyone else could write it themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(settings.PISHRAN_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Each proxy appends the address it saw: the right-most one not a trusted proxy is the
    # client as our own proxies saw it; what lies to its left the client may have forged.
    for address in reversed([part.strip() for part in forwarded.split(",")]):
        if address and address not in trusted:
            return address
    return remote
