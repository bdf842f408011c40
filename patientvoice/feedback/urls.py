from django.urls import path

from patientvoice.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.choose_service, name="choose_service"),
    path("services/<slug:slug>/", views.share, name="share"),
    path("thank-you/<str:reference>/", views.thank_you, name="thank_you"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
]
