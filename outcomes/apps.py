from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Quality of hire: check-ins on people hired through Hireloop, and which parts of the interview predicted them."""

    name = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcomes import tasks  # noqa: F401 - registers the tasks that services start by name (hiring.jobs)
