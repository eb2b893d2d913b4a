from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed for its seed_demo command only: no models, nothing done at start-up."""

    name = "demo"
