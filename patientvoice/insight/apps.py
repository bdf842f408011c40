from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "patientvoice.insight"
    label = "insight"
