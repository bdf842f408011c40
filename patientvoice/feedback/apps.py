from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "patientvoice.feedback"
    label = "feedback"
