from django.urls import path

from patientvoice.insight import public_views

app_name = "services"

urlpatterns = [
    path("<slug:slug>/", public_views.service_detail, name="detail"),
]
