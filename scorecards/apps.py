from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scorecards import tasks  # noqa: F401 - registers the tasks that services start by name (hiring.jobs)
