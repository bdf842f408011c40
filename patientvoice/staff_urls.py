"""The staff area: one URL namespace over the apps that serve staff pages."""

from django.urls import path

from patientvoice.feedback import import_views, privacy_views, review_views, staff_views
from patientvoice.influence import views as influence_views
from patientvoice.insight import concern_views, dashboard_views
from patientvoice.insight import views as insight_views
from patientvoice.involvement import views as group_views
from patientvoice.people import sign_in_views
from patientvoice.people import staff_views as people_staff_views

app_name = "staff"

urlpatterns = [
    path("sign-in/", sign_in_views.staff_login, name="login"),
    path("sign-in/code/", sign_in_views.sign_in_code, name="sign_in_code"),
    path("sign-in/reset/", sign_in_views.password_reset, name="password_reset"),
    path("sign-in/reset/sent/", sign_in_views.password_reset_done, name="password_reset_done"),
    path(
        "sign-in/reset/<uidb64>/<token>/",
        sign_in_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "sign-in/reset/done/",
        sign_in_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("sign-out/", sign_in_views.staff_logout, name="logout"),
    path("account/password/", sign_in_views.password_change, name="password_change"),
    path(
        "account/password/done/",
        sign_in_views.password_change_done,
        name="password_change_done",
    ),
    path("account/two-factor/", people_staff_views.two_factor_settings, name="two_factor"),
    path(
        "account/two-factor/remove/",
        people_staff_views.two_factor_remove,
        name="two_factor_remove",
    ),
    path("team/", people_staff_views.team, name="team"),
    path("team/invite/", people_staff_views.team_invite, name="team_invite"),
    path("team/<int:membership_id>/", people_staff_views.team_member, name="team_member"),
    path("team/<int:membership_id>/remove/", people_staff_views.team_remove, name="team_remove"),
    path(
        "team/<int:membership_id>/reset-two-factor/",
        people_staff_views.team_reset_two_factor,
        name="team_reset_two_factor",
    ),
    path(
        "team/organisations/<int:organisation_id>/two-factor/",
        people_staff_views.team_policy,
        name="team_policy",
    ),
    path("audit-log/", people_staff_views.audit_log, name="audit_log"),
    path("feedback/", staff_views.feedback_list, name="feedback_list"),
    path("feedback/new/", staff_views.capture_choose_service, name="capture_choose_service"),
    path("feedback/new/<slug:slug>/", staff_views.capture, name="capture"),
    path("feedback/<str:reference>/", staff_views.feedback_detail, name="feedback_detail"),
    path("held-back/", review_views.held_back_list, name="held_back_list"),
    path("held-back/<str:reference>/", review_views.held_back_decide, name="held_back_decide"),
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
    path("concerns/", concern_views.concern_list, name="concern_list"),
    path("concerns/decisions/", concern_views.concern_decisions, name="concern_decisions"),
    path("concerns/<int:concern_id>/", concern_views.concern_detail, name="concern_detail"),
    path("concerns/<int:concern_id>/decide/", concern_views.concern_decide, name="concern_decide"),
    path("insight/", dashboard_views.insight, name="insight"),
    path("insight/comments/", dashboard_views.comments, name="insight_comments"),
    path("population/", dashboard_views.population, name="population"),
    path("text-model/", insight_views.model_versions, name="model_versions"),
    path("privacy/", privacy_views.find_person, name="privacy_find"),
    path("privacy/people/<int:person_id>/", privacy_views.person_detail, name="privacy_person"),
    path(
        "privacy/people/<int:person_id>/consents/<int:consent_id>/withdraw/",
        privacy_views.withdraw,
        name="privacy_withdraw",
    ),
    path(
        "privacy/people/<int:person_id>/export.<str:file_format>",
        privacy_views.export,
        name="privacy_export",
    ),
    path("privacy/people/<int:person_id>/erase/", privacy_views.erase, name="privacy_erase"),
    path(
        "privacy/organisations/<int:organisation_id>/",
        privacy_views.organisation_details,
        name="privacy_organisation",
    ),
    path("reports/", influence_views.report_list, name="report_list"),
    path("reports/new/", influence_views.report_new, name="report_new"),
    path("reports/<int:report_id>/", influence_views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", influence_views.report_edit, name="report_edit"),
    path("reports/<int:report_id>/report.pdf", influence_views.report_pdf, name="report_pdf"),
    path(
        "reports/<int:report_id>/findings/new/",
        influence_views.finding_new,
        name="finding_new",
    ),
    path(
        "reports/findings/<int:finding_id>/evidence/<str:kind>/",
        influence_views.evidence_new,
        name="evidence_new",
    ),
    path(
        "reports/evidence/<int:evidence_id>/remove/",
        influence_views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "reports/<int:report_id>/recommendations/new/",
        influence_views.recommendation_new,
        name="recommendation_new",
    ),
    path("reports/<int:report_id>/contacts/new/", influence_views.contact_new, name="contact_new"),
    path(
        "reports/<int:report_id>/sign-off/", influence_views.report_sign_off, name="report_sign_off"
    ),
    path("reports/<int:report_id>/issue/", influence_views.report_issue, name="report_issue"),
    path("reports/<int:report_id>/publish/", influence_views.report_publish, name="report_publish"),
    path("reports/<int:report_id>/correct/", influence_views.report_correct, name="report_correct"),
    path(
        "reports/recommendations/<int:recommendation_id>/respond/",
        influence_views.response_new,
        name="response_new",
    ),
    path("groups/", group_views.group_list, name="group_list"),
    path("groups/<slug:slug>/", group_views.group_home, name="group_home"),
    path("groups/<slug:slug>/members/", group_views.member_list, name="group_members"),
    path("groups/members/<int:member_id>/", group_views.member_edit, name="group_member"),
    path(
        "groups/members/<int:member_id>/remove/",
        group_views.member_remove,
        name="group_member_remove",
    ),
    path(
        "groups/<slug:slug>/join-requests/",
        group_views.join_requests,
        name="group_join_requests",
    ),
    path(
        "groups/join-requests/<int:request_id>/",
        group_views.join_request_decide,
        name="group_join_request",
    ),
    path(
        "groups/join-requests/<int:request_id>/told/",
        group_views.join_request_told,
        name="group_join_request_told",
    ),
    path("groups/<slug:slug>/meetings/new/", group_views.meeting_new, name="group_meeting_new"),
    path("groups/meetings/<int:meeting_id>/", group_views.meeting_detail, name="group_meeting"),
    path(
        "groups/meetings/<int:meeting_id>/papers/new/",
        group_views.paper_new,
        name="group_paper_new",
    ),
    path("groups/papers/<int:paper_id>/", group_views.paper_download, name="group_paper"),
    path(
        "groups/meetings/<int:meeting_id>/minutes/",
        group_views.minutes_edit,
        name="group_minutes",
    ),
    path(
        "groups/minutes/<int:minutes_id>/decisions/",
        group_views.minutes_decision_new,
        name="group_minutes_decision",
    ),
    path(
        "groups/minutes/<int:minutes_id>/actions/",
        group_views.minutes_action_new,
        name="group_minutes_action",
    ),
    path(
        "groups/minutes/<int:minutes_id>/approve/",
        group_views.minutes_approve,
        name="group_minutes_approve",
    ),
    path(
        "groups/minutes/<int:minutes_id>/publish/",
        group_views.minutes_publish,
        name="group_minutes_publish",
    ),
    path(
        "groups/minutes/<int:minutes_id>/correct/",
        group_views.minutes_correct,
        name="group_minutes_correct",
    ),
    path("groups/actions/<int:action_id>/", group_views.action_status, name="group_action"),
    path("groups/<slug:slug>/seats/", group_views.seats, name="group_seats"),
    path("groups/seats/<int:seat_id>/report/", group_views.seat_report, name="group_seat_report"),
    path("groups/<slug:slug>/messages/new/", group_views.message_new, name="group_message_new"),
    path("groups/messages/<int:message_id>/", group_views.message_detail, name="group_message"),
]
