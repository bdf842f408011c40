"""The staff area: one URL namespace over the apps that serve staff pages."""

from django.urls import path

from patientvoice.feedback import staff_views
from patientvoice.people import views as people_views

app_name = "staff"

urlpatterns = [
    path("sign-in/", people_views.staff_login, name="login"),
    path("sign-out/", people_views.staff_logout, name="logout"),
    path("feedback/", staff_views.feedback_list, name="feedback_list"),
    path("feedback/new/", staff_views.capture_choose_service, name="capture_choose_service"),
    path("feedback/new/<slug:slug>/", staff_views.capture, name="capture"),
    path("feedback/<str:reference>/", staff_views.feedback_detail, name="feedback_detail"),
]
