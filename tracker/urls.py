from django.contrib.auth import views as auth_views
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import api, pwa, views

urlpatterns = [
    path("", views.today, name="today"),
    path("history/", views.history, name="history"),
    path("settings/", views.account_settings, name="settings"),
    path("help/", views.help_page, name="help"),
    path("safety-plan/", views.safety_plan, name="safety_plan"),
    path("safety-plan/edit/", views.safety_plan_edit, name="safety_plan_edit"),
    path("safety-plan/versions/", views.safety_plan_versions, name="safety_plan_versions"),
    path("safety-plan/versions/<int:number>/", views.safety_plan_version, name="safety_plan_version"),
    path("tasks/", views.tasks, name="tasks"),
    path("task/<uuid:entry_id>/done/", views.task_done, name="task_done"),
    path("progress/", views.my_progress, name="progress"),
    path("patterns/", views.patterns, name="patterns"),
    path("healthz/", views.healthz, name="healthz"),
    path("signin/", auth_views.LoginView.as_view(template_name="tracker/signin.html", redirect_authenticated_user=True),
         name="signin"),
    path("signout/", views.SignOut.as_view(), name="signout"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("api/v1/me/", api.Me.as_view(), name="api-me"),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
]

# The kinds of entry share their page routes: /checkin/, /urge/, /reflection/, /weekend/, ...
for kind in views.KINDS:
    urlpatterns += [
        path(f"{kind}/", views.entry_new, {"kind": kind}, name=f"{kind}_new"),
        path(f"{kind}/<uuid:entry_id>/", views.entry_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}/<uuid:entry_id>/delete/", views.entry_delete, {"kind": kind}, name=f"{kind}_delete"),
    ]

for plural, listing, detail in api.ENTRY_ENDPOINTS:
    urlpatterns += [
        path(f"api/v1/{plural}/", listing.as_view(), name=f"api-{plural}"),
        path(f"api/v1/{plural}/<uuid:entry_id>/", detail.as_view(), name=f"api-{plural}-detail"),
    ]

urlpatterns += [
    path("api/v1/safety-plan/", api.SafetyPlanCurrent.as_view(), name="api-safety-plan"),
    path("api/v1/safety-plan/versions/", api.SafetyPlanVersions.as_view(), name="api-safety-plan-versions"),
    path("api/v1/safety-plan/versions/<uuid:entry_id>/", api.SafetyPlanVersionDetail.as_view(),
         name="api-safety-plan-version"),
    path("api/v1/weekend-plans/<uuid:entry_id>/review/", api.WeekendReview.as_view(), name="api-weekend-review"),
    path("api/v1/progress/", api.Progress.as_view(), name="api-progress"),
    path("api/v1/patterns/", api.Patterns.as_view(), name="api-patterns"),
    path("api/v1/push-subscriptions/", api.PushSubscriptions.as_view(), name="api-push-subscriptions"),
    path("api/v1/push-key/", api.PushKey.as_view(), name="api-push-key"),
    path("api/v1/reminders/", api.RemindersOverview.as_view(), name="api-reminders"),
    path("api/v1/reminders/settings/", api.ReminderSettings.as_view(), name="api-reminder-settings"),
    path("api/v1/reminders/test/", api.TestNotification.as_view(), name="api-reminder-test"),
    path("api/v1/reminders/snooze/", api.Snooze.as_view(), name="api-reminder-snooze"),
    path("api/v1/reminders/opened/", api.Opened.as_view(), name="api-reminder-opened"),
    path("reminders/", views.reminder_settings, name="reminders"),
]
for plural, listing, detail in api.CARE_ENDPOINTS:
    urlpatterns += [
        path(f"api/v1/care/participants/<int:participant_id>/{plural}/", listing.as_view(), name=f"api-care-{plural}"),
        path(f"api/v1/care/participants/<int:participant_id>/{plural}/<uuid:entry_id>/", detail.as_view(),
             name=f"api-care-{plural}-detail"),
    ]
