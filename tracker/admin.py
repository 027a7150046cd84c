from django.contrib import admin

from . import reminders
from .models import (
    AuditEvent,
    Counselor,
    Delivery,
    Participant,
    Program,
    PushSubscription,
    Reminder,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Counselor)
class CounselorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "is_program_admin"]
    list_filter = ["program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "get_level_of_care_display", "time_zone"]
    list_filter = ["program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["care_team"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reminders.reminders_sync(participant=obj)
        reminders.reminders_replan(participant=obj)


# Participants' entries (check-ins, urges, plans, goals, ...) are deliberately not in the admin
# site: the care team reads them through /care/, where every read is audited and limited to
# the care team. The admin site manages programs, people, care teams and reminders.


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway (see tracker/append_only.py)."""

    list_display = ["at", "actor_name", "action", "resource", "participant_id", "ip", "request_id"]
    list_filter = ["action", "resource", "program"]
    search_fields = ["actor_name", "request_id", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
