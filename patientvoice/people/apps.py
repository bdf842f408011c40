from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "patientvoice.people"
    label = "people"
