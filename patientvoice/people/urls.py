from django.urls import path

from patientvoice.people import views

app_name = "people"

urlpatterns = [
    path("", views.get_involved, name="get_involved"),
    path("thank-you/", views.get_involved_done, name="get_involved_done"),
]
