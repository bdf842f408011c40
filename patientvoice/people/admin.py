from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from patientvoice.people.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(User)
class PatientVoiceUserAdmin(UserAdmin):
    inlines = [MembershipInline]
