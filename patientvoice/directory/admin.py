from django.contrib import admin

from patientvoice.directory import models


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name", "ods_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "host", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name"]
    filter_horizontal = ["influences", "areas"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "site", "is_active"]
    search_fields = ["name", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}


admin.site.register(models.Area)
admin.site.register(models.PostcodeDistrict)
admin.site.register(models.Site)
