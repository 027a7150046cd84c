from django.contrib import admin

from .models import CheckIn, Counselor, Participant, Program, Urge, WeeklyReflection


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Counselor)
class CounselorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program"]
    list_filter = ["program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "level_of_care", "time_zone"]
    list_filter = ["program", "level_of_care"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["care_team"]


class EntryAdmin(admin.ModelAdmin):
    list_select_related = ["participant__user"]
    list_filter = ["participant__program"]
    search_fields = ["participant__user__username"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(CheckIn)
class CheckInAdmin(EntryAdmin):
    list_display = ["participant", "date", "total_sleep_min", "sleep_efficiency", "stress"]
    readonly_fields = [*EntryAdmin.readonly_fields, "time_in_bed_min", "total_sleep_min", "sleep_efficiency"]
    date_hierarchy = "date"


@admin.register(Urge)
class UrgeAdmin(EntryAdmin):
    list_display = ["participant", "occurred_at", "intensity", "duration_min", "outcome"]
    list_filter = [*EntryAdmin.list_filter, "outcome"]
    date_hierarchy = "occurred_at"


@admin.register(WeeklyReflection)
class WeeklyReflectionAdmin(EntryAdmin):
    list_display = ["participant", "week_start"]
    date_hierarchy = "week_start"
