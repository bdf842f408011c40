from django.urls import path

from patientvoice.directory import privacy_views, views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("groups/", views.find_group, name="find_group"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("accessibility/", privacy_views.accessibility, name="accessibility"),
    path("privacy/", privacy_views.privacy, name="privacy"),
    path("privacy/<slug:slug>/", privacy_views.organisation_privacy, name="organisation_privacy"),
    path("about-the-data/", views.static_page, {"template": "about_data"}, name="about_data"),
]
