from django.urls import path

from patientvoice.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("groups/", views.find_group, name="find_group"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("accessibility/", views.static_page, {"template": "accessibility"}, name="accessibility"),
    path("privacy/", views.static_page, {"template": "privacy"}, name="privacy"),
    path("about-the-data/", views.static_page, {"template": "about_data"}, name="about_data"),
]
