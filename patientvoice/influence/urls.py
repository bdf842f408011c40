"""Public pages of published reports."""

from django.urls import path

from patientvoice.influence import views

app_name = "reports"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:report_id>/", views.public_detail, name="detail"),
    path("<int:report_id>/report.pdf", views.public_pdf, name="pdf"),
]
