from django.apps import AppConfig


class InfluenceConfig(AppConfig):
    name = "patientvoice.influence"
    verbose_name = "Reports, recommendations and responses"
