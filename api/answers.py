"""A list page's answer written straight to JSON.

ninja validates whatever an endpoint returns against its response schema and dumps it
again before writing JSON: ~1.2 ms of CPU for a page of 50 units, a tenth of the
request's own. The lists of units and cases build each row as a dict of exactly their
schema's fields and types (``EnterpriseRow``, ``CaseRow``), so they hand ninja the finished
response instead (ninja passes an ``HttpResponse`` through untouched); the schemas still
describe the answer in the OpenAPI description, and the tests (the schema fuzzer among
them) check the answers against it. The bytes are those ninja would write: its own JSON
encoder and content type."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


def json_answer(data: dict[str, Any]) -> HttpResponse:
    """``data`` as ninja's ``JSONRenderer`` writes it, with status 200."""
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), content_type=CONTENT_TYPE)
