from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organization (``sasom demo``): builds on every app, so it sits above them all."""

    name = "sasom.demo"
    label = "demo"
