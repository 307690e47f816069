from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Webhooks and Slack: endpoints, deliveries and their log. Reads the domain events outbox (hiring.events)."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hiring.events import events_reader_register
        from integrations import tasks  # noqa: F401 - registers the tasks that services start by name (hiring.jobs)
        from integrations.services.dispatch import events_recorded

        # The lower layers record events without knowing who reads them; this is the reader.
        events_reader_register(events_recorded)
