from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exercises import tasks  # noqa: F401 - registers the tasks that services start by name (hiring.jobs)
