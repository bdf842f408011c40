from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "patientvoice platform administration"

urlpatterns = [
    path("", include("patientvoice.directory.urls")),
    path("services/", include("patientvoice.insight.public_urls")),
    path("share/", include("patientvoice.feedback.urls")),
    path("get-involved/", include("patientvoice.people.urls")),
    path("staff/", include("patientvoice.staff_urls")),
    path("platform-admin/", admin.site.urls),
]
