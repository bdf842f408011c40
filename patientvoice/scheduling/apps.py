from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "patientvoice.scheduling"
    verbose_name = "Periodic tasks"
