from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Candidates' personal data across every app: where it lives, export, erasure and retention. No models."""

    name = "privacy"

    def ready(self) -> None:
        from privacy import tasks  # noqa: F401 - registers the retention job for beat and the workers
        from privacy.registry import watch_personal_values

        # The log filter learns every candidate value this process holds, so it can redact it.
        watch_personal_values()
