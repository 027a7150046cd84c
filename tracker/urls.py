from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views, api, care_api, care_views, pwa, views

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
    path("api/v1/auth/token/", api.ObtainParticipantToken.as_view(), name="api-token"),
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

# The care team: pages under /care/, API under /api/v1/care/ (tracker.care_views, tracker.care_api).
P = "care/participants/<int:participant_id>"
urlpatterns += [
    path("care/", care_views.caseload, name="care_caseload"),
    path("care/audit/", care_views.audit_log, name="care_audit"),
    path(f"{P}/", care_views.participant_view, name="care_participant"),
    path(f"{P}/acknowledge/", care_views.acknowledge_flag, name="care_acknowledge"),
    path(f"{P}/summary/", care_views.summary, name="care_summary"),
    path(f"{P}/plans/", care_views.plans, name="care_plans"),
    path(f"{P}/safety-plan/<int:number>/", care_views.safety_plan_version, name="care_safety_plan_version"),
    path(f"{P}/wins/", care_views.timeline, name="care_timeline"),
    path(f"{P}/goals/", care_views.goals, name="care_goals"),
    path(f"{P}/task/<uuid:entry_id>/done/", care_views.task_done, name="care_task_done"),
    path(f"{P}/export.csv", care_views.export, {"fmt": "csv"}, name="care_export_csv"),
    path(f"{P}/export.json", care_views.export, {"fmt": "json"}, name="care_export_json"),
    *[path(f"{P}/{kind}/{tail}", care_views.entry_form, {"kind": kind}, name=f"care_{kind}_{name}")
      for kind in care_views.CARE_FORMS for tail, name in (("", "new"), ("<uuid:entry_id>/", "edit"))],
    path("settings/access-log/", views.access_log, name="access_log"),
    path("api/v1/me/access-log/", api.AccessLog.as_view(), name="api-access-log"),
    path("api/v1/care/caseload/", care_api.Caseload.as_view(), name="api-care-caseload"),
]
A = "api/v1/care/participants/<int:participant_id>"
urlpatterns += [
    path(f"{A}/overview/", care_api.Overview.as_view(), name="api-care-overview"),
    path(f"{A}/acknowledgements/", care_api.Acknowledgements.as_view(), name="api-care-acknowledgements"),
    path(f"{A}/summary/", care_api.Summary.as_view(), name="api-care-summary"),
    path(f"{A}/export/", care_api.Export.as_view(), name="api-care-export"),
    path(f"{A}/safety-plan/versions/", care_api.SafetyPlanVersions.as_view(), name="api-care-safety-plan-versions"),
    path(f"{A}/weekend-plans/", care_api.WeekendPlans.as_view(), name="api-care-weekend-plans"),
]
for plural, listing in api.CARE_READS:
    urlpatterns.append(path(f"{A}/{plural}/", listing.as_view(), name=f"api-care-{plural}"))

# Accounts: joining, the second factor, a participant's own data, password reset.
urlpatterns += [
    path("j/<str:token>/", account_views.join, name="join"),
    path("account/2fa/", account_views.second_factor, name="second_factor"),
    path("account/2fa/setup/", account_views.second_factor_setup, name="second_factor_setup"),
    path("account/2fa/off/", account_views.second_factor_off, name="second_factor_off"),
    path("settings/my-data/", account_views.my_data, name="my_data"),
    path("settings/my-data.<str:fmt>", account_views.my_data_download, name="my_data_download"),
    path("settings/sign-out-everywhere/", account_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("settings/close/", account_views.close_account, name="close_account"),
    path("care/invitations/", account_views.invitations, name="care_invitations"),
    path("care/invitations/<int:pk>/revoke/", account_views.invitation_revoke, name="care_invitation_revoke"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
