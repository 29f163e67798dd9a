from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """No tables: installed for its Thai catalogue (docs/decisions/0004-segments.md)."""

    name = "sasom.segments"
    label = "segments"
    verbose_name = "Segments"
