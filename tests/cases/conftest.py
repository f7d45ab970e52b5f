"""The clinic fixtures serve the case mechanism's tests too."""

from tests.clinics.conftest import clinic  # noqa: F401
