from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: the health endpoint, backup and restore, background workers."""

    name = "ops"
    verbose_name = "Operations"
