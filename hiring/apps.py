from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hiring import tasks  # noqa: F401 - registers the tasks that services start by name (hiring.jobs)
