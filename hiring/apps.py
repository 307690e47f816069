from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hiring.privacy import watch_personal_values

        # The log filter learns every candidate value this process holds, so it can redact it.
        watch_personal_values()
