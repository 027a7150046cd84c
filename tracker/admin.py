from django.contrib import admin

from . import reminders
from .models import (
    CheckIn,
    Counselor,
    Delivery,
    Goal,
    HighRiskTime,
    Participant,
    Program,
    PushSubscription,
    Reminder,
    SafetyPlanVersion,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reminders.reminders_sync(participant=obj)
        reminders.reminders_replan(participant=obj)


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


@admin.register(WeekendPlan)
class WeekendPlanAdmin(EntryAdmin):
    list_display = ["participant", "weekend_of", "how_it_went"]


@admin.register(SafetyPlanVersion)
class SafetyPlanVersionAdmin(EntryAdmin):
    list_display = ["participant", "number", "created_at"]
    readonly_fields = [*EntryAdmin.readonly_fields, "number", "author"]


@admin.register(Goal)
class GoalAdmin(EntryAdmin):
    list_display = ["participant", "title", "status"]


@admin.register(Task)
class TaskAdmin(EntryAdmin):
    list_display = ["participant", "title", "due_date", "done"]


@admin.register(HighRiskTime)
class HighRiskTimeAdmin(EntryAdmin):
    list_display = ["participant", "label", "start_time", "end_time"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["participant", "kind", "local_time", "next_due_at", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["participant__user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["reminder", "due_at", "status", "channel", "attempts", "sent_at", "opened_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["reminder__participant__user"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_success_at", "failures"]
    readonly_fields = ["endpoint", "p256dh", "auth"]
