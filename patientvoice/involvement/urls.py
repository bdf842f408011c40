from django.urls import path

from patientvoice.involvement import public_views

app_name = "involvement"

urlpatterns = [
    path("<slug:slug>/join/", public_views.join, name="join"),
    path("<slug:slug>/join/thank-you/", public_views.join_done, name="join_done"),
    path("<slug:slug>/minutes/<int:minutes_id>/", public_views.minutes_detail, name="minutes"),
]
