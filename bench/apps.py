from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks' Django side: ``manage.py generate_load_data`` (synthetic history). No models."""

    name = "bench"
