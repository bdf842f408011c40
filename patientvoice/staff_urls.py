"""The staff area: one URL namespace over the apps that serve staff pages."""

from django.urls import path

from patientvoice.feedback import import_views, staff_views
from patientvoice.insight import dashboard_views
from patientvoice.insight import views as insight_views
from patientvoice.people import views as people_views

app_name = "staff"

urlpatterns = [
    path("sign-in/", people_views.staff_login, name="login"),
    path("sign-out/", people_views.staff_logout, name="logout"),
    path("feedback/", staff_views.feedback_list, name="feedback_list"),
    path("feedback/new/", staff_views.capture_choose_service, name="capture_choose_service"),
    path("feedback/new/<slug:slug>/", staff_views.capture, name="capture"),
    path("feedback/<str:reference>/", staff_views.feedback_detail, name="feedback_detail"),
    path("imports/", import_views.upload, name="import_upload"),
    path("imports/<int:batch_id>/", import_views.batch_detail, name="import_batch"),
    path("imports/<int:batch_id>/columns/", import_views.mapping, name="import_mapping"),
    path("comments/<int:comment_id>/", insight_views.comment_review, name="comment_review"),
    path("comments/<int:comment_id>/publish/", insight_views.publish, name="publish_comment"),
    path(
        "comments/<int:comment_id>/raise-concern/",
        insight_views.raise_concern,
        name="raise_concern",
    ),
    path("concerns/", insight_views.concern_list, name="concern_list"),
    path("concerns/<int:concern_id>/", insight_views.concern_detail, name="concern_detail"),
    path("insight/", dashboard_views.insight, name="insight"),
    path("insight/comments/", dashboard_views.comments, name="insight_comments"),
    path("population/", dashboard_views.population, name="population"),
    path("text-model/", insight_views.model_versions, name="model_versions"),
]
