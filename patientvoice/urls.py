from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "patientvoice platform administration"

urlpatterns = [
    path("", include("patientvoice.directory.urls")),
    # After the directory: its "groups/<slug>/" page comes first, these pages sit beneath it.
    path("groups/", include("patientvoice.involvement.urls")),
    path("services/", include("patientvoice.insight.public_urls")),
    path("share/", include("patientvoice.feedback.urls")),
    path("get-involved/", include("patientvoice.people.urls")),
    path("reports/", include("patientvoice.influence.urls")),
    path("staff/", include("patientvoice.staff_urls")),
    path("platform-admin/", admin.site.urls),
]

# Error pages in the NHS.UK layout; none of them needs the database (patientvoice.errors).
handler400 = "patientvoice.errors.bad_request"
handler403 = "patientvoice.errors.permission_denied"
handler404 = "patientvoice.errors.page_not_found"
handler500 = "patientvoice.errors.server_error"
