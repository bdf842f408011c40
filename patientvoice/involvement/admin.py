"""Platform admin: appointing a group's first chair or staff lead (after that the chair or staff
lead changes roles in the workspace), and looking into a group's records."""

from django.contrib import admin

from patientvoice.involvement import models


@admin.register(models.GroupMember)
class GroupMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "group", "role", "joined_on"]
    list_filter = ["role"]
    search_fields = ["person__full_name", "group__name"]
    raw_id_fields = ["person", "group"]


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["group", "starts_at", "place"]
    search_fields = ["group__name"]
    raw_id_fields = ["group", "created_by"]


@admin.register(models.Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "body", "group"]
    raw_id_fields = ["group"]
