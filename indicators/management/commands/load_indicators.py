from typing import Any

from django.core.management.base import BaseCommand

from indicators.catalogue import load_indicators


class Command(BaseCommand):
    help = "Create the shipped indicators that are missing (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"indicators created: {load_indicators()}")
