from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "patientvoice.people"
    label = "people"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from patientvoice.people.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="patientvoice.start_idle_clock")
