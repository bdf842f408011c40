from django.apps import AppConfig


class InvolvementConfig(AppConfig):
    name = "patientvoice.involvement"
    label = "involvement"

    def ready(self) -> None:
        # The public group page (directory) shows the next meetings, published minutes and the
        # ask-to-join link through a section this app registers: directory, left of people
        # in the design map, cannot import from here.
        from patientvoice.directory.pages import register_group_section
        from patientvoice.involvement.public_views import group_page_section

        register_group_section(group_page_section)
