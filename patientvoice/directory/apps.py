from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "patientvoice.directory"
    label = "directory"
