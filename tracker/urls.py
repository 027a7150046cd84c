from django.contrib.auth import views as auth_views
from django.urls import path

from . import accounts
from .api import care as care_api
from .api import groups as groups_api
from .api import measure_schedules as measure_schedules_api
from .api import measures as measures_api
from .api import medication as medication_api
from .api import member as member_api
from .api import participant as api
from .api import passport as passport_api
from .api import plan_reviews as plan_reviews_api
from .api import scores as scores_api
from .web import account, care, groups, huddle, measure_schedules, measures, medication, member, participant, pwa, roll
from .web import language as language_pages
from .web import passport as passport_page
from .web import plan_reviews as plan_reviews_web
from .web import scores as scores_web
from .web import urgent as urgent_pages

urlpatterns = [
    path("", participant.today, name="today"),
    path("history/", participant.history, name="history"),
    path("settings/", participant.account_settings, name="settings"),
    path("help/", participant.help_page, name="help"),
    path("language/", language_pages.choose, name="language"),
    path("safety-plan/", participant.safety_plan, name="safety_plan"),
    path("support/", participant.support, name="support"),
    path("talk/", participant.talk, name="talk"),
    path("safety-plan/edit/", participant.safety_plan_edit, name="safety_plan_edit"),
    path("safety-plan/versions/", participant.safety_plan_versions, name="safety_plan_versions"),
    path("safety-plan/versions/<int:number>/", participant.safety_plan_version, name="safety_plan_version"),
    path("tasks/", participant.tasks, name="tasks"),
    path("task/<uuid:entry_id>/done/", participant.task_done, name="task_done"),
    path("progress/", participant.my_progress, name="progress"),
    path("patterns/", participant.patterns, name="patterns"),
    path("healthz/", participant.healthz, name="healthz"),
    path("signin/", auth_views.LoginView.as_view(template_name="tracker/signin.html", redirect_authenticated_user=True),
         name="signin"),
    path("signout/", participant.SignOut.as_view(), name="signout"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("jsi18n/<str:language>.js", pwa.js_catalog, name="js_catalog"),
    path("jsi18n/<str:language>.json", pwa.json_catalog, name="json_catalog"),
    path("api/v1/me/", api.Me.as_view(), name="api-me"),
    path("api/v1/auth/token/", api.ObtainParticipantToken.as_view(), name="api-token"),
]

# The kinds of entry share their page routes: /checkin/, /urge/, /reflection/, /weekend/, ...
for kind in participant.KINDS:
    urlpatterns += [
        path(f"{kind}/", participant.entry_new, {"kind": kind}, name=f"{kind}_new"),
        path(f"{kind}/<uuid:entry_id>/", participant.entry_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}/<uuid:entry_id>/delete/", participant.entry_delete, {"kind": kind}, name=f"{kind}_delete"),
    ]

urlpatterns += [
    path("api/v1/checkins/", api.CheckInList.as_view(), name="api-checkins"),
    path("api/v1/checkins/<uuid:entry_id>/", api.CheckInDetail.as_view(), name="api-checkins-detail"),
    path("api/v1/urges/", api.UrgeList.as_view(), name="api-urges"),
    path("api/v1/urges/<uuid:entry_id>/", api.UrgeDetail.as_view(), name="api-urges-detail"),
    path("api/v1/reflections/", api.WeeklyReflectionList.as_view(), name="api-reflections"),
    path("api/v1/reflections/<uuid:entry_id>/", api.WeeklyReflectionDetail.as_view(), name="api-reflections-detail"),
    path("api/v1/weekend-plans/", api.WeekendPlanList.as_view(), name="api-weekend-plans"),
    path("api/v1/weekend-plans/<uuid:entry_id>/", api.WeekendPlanDetail.as_view(), name="api-weekend-plans-detail"),
    path("api/v1/goals/", api.GoalList.as_view(), name="api-goals"),
    path("api/v1/goals/<uuid:entry_id>/", api.GoalDetail.as_view(), name="api-goals-detail"),
    path("api/v1/tasks/", api.TaskList.as_view(), name="api-tasks"),
    path("api/v1/tasks/<uuid:entry_id>/", api.TaskDetail.as_view(), name="api-tasks-detail"),
    path("api/v1/talk/<uuid:entry_id>/", api.TalkRequestDetail.as_view(), name="api-talk-detail"),
    path("api/v1/safety-answers/<uuid:entry_id>/", api.SafetyAnswerDetail.as_view(), name="api-safety-answers-detail"),
    path("api/v1/high-risk-times/", api.HighRiskTimeList.as_view(), name="api-high-risk-times"),
    path("api/v1/high-risk-times/<uuid:entry_id>/", api.HighRiskTimeDetail.as_view(),
         name="api-high-risk-times-detail"),
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
    path("reminders/", participant.reminder_settings, name="reminders"),
]
urlpatterns += [
    path("api/v1/care/participants/<int:participant_id>/goals/", care_api.CareGoalList.as_view(),
         name="api-care-goals"),
    path("api/v1/care/participants/<int:participant_id>/goals/<uuid:entry_id>/", care_api.CareGoalDetail.as_view(),
         name="api-care-goals-detail"),
    path("api/v1/care/participants/<int:participant_id>/tasks/", care_api.CareTaskList.as_view(),
         name="api-care-tasks"),
    path("api/v1/care/participants/<int:participant_id>/tasks/<uuid:entry_id>/", care_api.CareTaskDetail.as_view(),
         name="api-care-tasks-detail"),
]

# The care team: pages under /care/, API under /api/v1/care/ (tracker.web.care, tracker.api.care).
P = "care/participants/<int:participant_id>"
urlpatterns += [
    path("care/", care.caseload, name="care_caseload"),
    path("care/audit/", care.audit_log, name="care_audit"),
    path("care/audit/export.csv", care.audit_log_csv, name="care_audit_csv"),
    path("care/settings/", care.counselor_settings, name="care_settings"),
    path("care/settings/program/", care.program_settings, name="care_program_settings"),
    path(f"{P}/", care.participant_view, name="care_participant"),
    path(f"{P}/acknowledge/", care.acknowledge_flag, name="care_acknowledge"),
    path(f"{P}/summary/", care.summary, name="care_summary"),
    path(f"{P}/plans/", care.plans, name="care_plans"),
    path(f"{P}/safety-plan/<int:number>/", care.safety_plan_version, name="care_safety_plan_version"),
    path(f"{P}/wins/", care.timeline, name="care_timeline"),
    path(f"{P}/goals/", care.goals, name="care_goals"),
    path(f"{P}/task/<uuid:entry_id>/done/", care.task_done, name="care_task_done"),
    path(f"{P}/export.csv", care.export, {"fmt": "csv"}, name="care_export_csv"),
    path(f"{P}/export.json", care.export, {"fmt": "json"}, name="care_export_json"),
    *[path(f"{P}/{kind}/{tail}", care.entry_form, {"kind": kind}, name=f"care_{kind}_{name}")
      for kind in care.CARE_FORMS for tail, name in (("", "new"), ("<uuid:entry_id>/", "edit"))],
    path("settings/access-log/", participant.access_log, name="access_log"),
    path("api/v1/me/access-log/", api.AccessLog.as_view(), name="api-access-log"),
    path("api/v1/care/caseload/", care_api.Caseload.as_view(), name="api-care-caseload"),
]
# Issue 16, the huddle before group (tracker.web.huddle).
urlpatterns += [
    path("care/sessions/<int:session_id>/huddle/", huddle.huddle, name="care_huddle"),
    path("care/sessions/<int:session_id>/huddle/task/", huddle.practice_task, name="care_huddle_task"),
]
A = "api/v1/care/participants/<int:participant_id>"
urlpatterns += [
    path(f"{A}/overview/", care_api.Overview.as_view(), name="api-care-overview"),
    path(f"{A}/acknowledgements/", care_api.Acknowledgements.as_view(), name="api-care-acknowledgements"),
    path(f"{A}/summary/", care_api.Summary.as_view(), name="api-care-summary"),
    path(f"{A}/export/", care_api.Export.as_view(), name="api-care-export"),
    path(f"{A}/safety-plan/versions/", care_api.SafetyPlanVersions.as_view(), name="api-care-safety-plan-versions"),
    path(f"{A}/weekend-plans/", care_api.WeekendPlans.as_view(), name="api-care-weekend-plans"),
    path(f"{A}/checkins/", care_api.CareCheckInList.as_view(), name="api-care-checkins"),
    path(f"{A}/urges/", care_api.CareUrgeList.as_view(), name="api-care-urges"),
    path(f"{A}/reflections/", care_api.CareWeeklyReflectionList.as_view(), name="api-care-reflections"),
]

# Issue 18, the recovery passport (tracker.passport): the person's own record to print and keep.
urlpatterns += [
    path("passport/", passport_page.passport, name="passport"),
    path("api/v1/passport/", passport_api.Passport.as_view(), name="api-passport"),
]

# Accounts: joining, the second factor, a participant's own data, password reset.
urlpatterns += [
    path("j/<str:token>/", account.join, name="join"),
    path("account/2fa/", account.second_factor, name="second_factor"),
    path("account/2fa/setup/", account.second_factor_setup, name="second_factor_setup"),
    path("account/2fa/off/", account.second_factor_off, name="second_factor_off"),
    path("settings/notice/", account.notice, name="notice"),
    path("settings/my-data/", account.my_data, name="my_data"),
    path("settings/my-data.<str:fmt>", account.my_data_download, name="my_data_download"),
    path("settings/sign-out-everywhere/", account.sign_out_everywhere, name="sign_out_everywhere"),
    path("settings/close/", account.close_account, name="close_account"),
    path("settings/password/", account.password_change, name="password_change"),
    path("settings/email/", account.email_change, name="email_change"),
    path("settings/email/confirm/<str:token>/", account.email_confirm, name="email_confirm"),
    path("care/invitations/", account.invitations, name="care_invitations"),
    path("care/invitations/<int:pk>/revoke/", account.invitation_revoke, name="care_invitation_revoke"),
    # The email (Steady's own words, not the admin's) in the account holder's language
    # (tracker.accounts.PasswordResetForm).
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=accounts.PasswordResetForm, email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt"), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

# Issue 16, the program's groups (tracker.web.groups): groups, members, sessions, closure days.
urlpatterns += [
    path("care/groups/", groups.groups, name="care_groups"),
    path("care/groups/new/", groups.group_edit, name="care_group_new"),
    path("care/groups/<int:group_id>/", groups.group_detail, name="care_group"),
    path("care/groups/<int:group_id>/edit/", groups.group_edit, name="care_group_edit"),
    path("care/groups/<int:group_id>/members/", groups.member_add, name="care_group_member_add"),
    path("care/groups/<int:group_id>/sessions/", groups.session_add, name="care_group_session_add"),
    path("care/groups/members/<int:membership_id>/end/", groups.member_end, name="care_group_member_end"),
    path("care/groups/sessions/<int:session_id>/", groups.session_edit, name="care_session"),
    path("care/settings/program/closures/", groups.closure_add, name="care_closure_add"),
    path("care/settings/program/closures/<int:closure_id>/remove/", groups.closure_remove, name="care_closure_remove"),
]

# Issue 16, the participant's side of group (tracker.web.member, tracker.api.member).
urlpatterns += [
    path("group/<int:session_id>/cant-make-it/", member.notice_new, {"ahead": True}, name="notice_cant_make_it"),
    path("group/<int:session_id>/missed/", member.notice_new, {"ahead": False}, name="notice_missed"),
    path("group/notices/<uuid:entry_id>/", member.notice_done, name="notice_done"),
    path("api/v1/groups/", member_api.Groups.as_view(), name="api-groups"),
    path("api/v1/sessions/", member_api.Sessions.as_view(), name="api-sessions"),
    path("api/v1/notices/<uuid:entry_id>/", member_api.NoticeDetail.as_view(), name="api-notices-detail"),
]

# Issue 16, the roll (attendance): the facilitator's pages and API (tracker.web.roll, tracker.api.groups).
urlpatterns += [
    path("care/roll/", roll.today, name="care_roll_today"),
    path("care/sessions/<int:session_id>/roll/", roll.session_roll, name="care_roll"),
    path("api/v1/care/sessions/today/", groups_api.TodaysSessions.as_view(), name="api-care-sessions-today"),
    path("api/v1/care/sessions/<int:session_id>/roll/", groups_api.Roll.as_view(), name="api-care-roll"),
    path("api/v1/care/sessions/<int:session_id>/attendance/<int:participant_id>/", groups_api.Mark.as_view(),
         name="api-care-attendance"),
]

# Issue 17, answering questionnaires (tracker.web.measures, tracker.api.measures).
urlpatterns += [
    path("questionnaires/<int:questionnaire_id>/", measures.questionnaire_page, name="questionnaire"),
    path("questionnaires/<int:questionnaire_id>/result/", measures.questionnaire_result, name="questionnaire_result"),
    path("api/v1/instruments/", measures_api.Instruments.as_view(), name="api-instruments"),
    path("api/v1/questionnaires/", measures_api.Questionnaires.as_view(), name="api-questionnaires"),
    path("api/v1/responses/", measures_api.ResponseList.as_view(), name="api-responses"),
    path("api/v1/responses/<uuid:entry_id>/", measures_api.ResponseDetail.as_view(), name="api-responses-detail"),
]

# Issue 17, questionnaire schedules (tracker.web.measure_schedules, tracker.api.measure_schedules).
urlpatterns += [
    path("care/settings/questionnaires/", measure_schedules.program_questionnaires, name="care_questionnaire_settings"),
    path(f"{P}/questionnaires/schedule/", measure_schedules.participant_questionnaires,
         name="care_participant_questionnaires"),
    path("api/v1/care/questionnaire-schedules/", measure_schedules_api.ProgramSchedules.as_view(),
         name="api-care-program-questionnaire-schedules"),
    path(f"{A}/questionnaire-schedules/", measure_schedules_api.ParticipantSchedules.as_view(),
         name="api-care-questionnaire-schedules"),
]

# Issue 17, questionnaire scores for the care team (tracker.web.scores, tracker.api.scores).
urlpatterns += [
    path(f"{P}/questionnaires/", scores_web.scores_page, name="care_scores"),
    path(f"{A}/responses/", scores_api.CareResponses.as_view(), name="api-care-responses"),
    path(f"{A}/questionnaires/", scores_api.CareQuestionnaires.as_view(), name="api-care-questionnaires"),
]

# Issue 17, medications and their times (tracker.web.medication, tracker.api.medication).
urlpatterns += [
    path("settings/medications/", medication.medications, name="medications"),
    path("settings/medications/new/", medication.medication_form, name="medication_new"),
    path("settings/medications/<uuid:entry_id>/", medication.medication_form, name="medication_edit"),
    path("settings/medications/<uuid:entry_id>/delete/", medication.medication_delete, name="medication_delete"),
    path("api/v1/medications/", medication_api.MedicationList.as_view(), name="api-medications"),
    path("api/v1/medications/<uuid:entry_id>/", medication_api.MedicationDetail.as_view(),
         name="api-medications-detail"),
    path(f"{P}/medications/", medication.care_medications, name="care_medications"),
    path(f"{P}/medications/new/", medication.care_medication_form, name="care_medication_new"),
    path(f"{P}/medications/<uuid:entry_id>/", medication.care_medication_form, name="care_medication_edit"),
    path(f"{A}/medications/", medication_api.CareMedicationList.as_view(), name="api-care-medications"),
    path(f"{A}/medications/<uuid:entry_id>/", medication_api.CareMedicationDetail.as_view(),
         name="api-care-medications-detail"),
]

# Issue 17, urgent notices: the program admins' list (tracker.web.urgent, tracker.urgent).
urlpatterns += [
    path("care/urgent/", urgent_pages.urgent_alerts, name="care_urgent"),
]

# Issue 18, aftercare: the plan, check-ups and their flags (tracker.web.aftercare, tracker.api.aftercare).
from .api import aftercare as aftercare_api  # noqa: E402
from .web import aftercare as aftercare_pages  # noqa: E402

urlpatterns += [
    path(f"{P}/aftercare/", aftercare_pages.plan_page, name="care_aftercare_plan"),
    path("care/aftercare/", aftercare_pages.aftercare_list, name="care_aftercare"),
    path("care/aftercare/<int:participant_id>/acknowledge/", aftercare_pages.acknowledge,
         name="care_aftercare_acknowledge"),
    path("care/settings/checkups/", aftercare_pages.checkup_settings, name="care_checkup_settings"),
    path(f"{A}/aftercare-plan/", aftercare_api.CarePlan.as_view(), name="api-care-aftercare-plan"),
    path(f"{A}/checkups/", aftercare_api.CareCheckups.as_view(), name="api-care-checkups"),
    path("checkups/<int:checkup_id>/", aftercare_pages.checkup_page, name="checkup"),
    path("aftercare/", aftercare_pages.my_aftercare, name="my_aftercare"),
    path("aftercare/stop-checkups/", aftercare_pages.checkups_stop, name="checkups_stop"),
    path("api/v1/aftercare/", aftercare_api.MyPlan.as_view(), name="api-aftercare"),
    path("api/v1/checkups/", aftercare_api.Checkups.as_view(), name="api-checkups"),
    path("api/v1/checkup-answers/<uuid:entry_id>/", aftercare_api.CheckupAnswerDetail.as_view(),
         name="api-checkup-answers-detail"),
]

# Issue 18, episodes of care (tracker.web.episodes, tracker.api.episodes).
from .api import episodes as episodes_api  # noqa: E402
from .web import episodes as episodes_web  # noqa: E402

urlpatterns += [
    path(f"{P}/episode/", episodes_web.episode_page, name="care_episode"),
    path(f"{P}/episode/admit/", episodes_web.admit, name="care_episode_admit"),
    path(f"{P}/episode/level/", episodes_web.change_level, name="care_episode_level"),
    path(f"{P}/episode/plan/", episodes_web.plan, name="care_episode_plan"),
    path(f"{P}/episode/discharge/", episodes_web.discharge, name="care_episode_discharge"),
    path("program/", episodes_web.my_program, name="my_program"),
    path(f"{A}/episodes/", episodes_api.EpisodeList.as_view(), name="api-care-episodes"),
    path(f"{A}/episodes/<int:episode_id>/", episodes_api.EpisodeDetail.as_view(), name="api-care-episodes-detail"),
    path(f"{A}/episodes/<int:episode_id>/level/", episodes_api.EpisodeLevel.as_view(), name="api-care-episodes-level"),
    path(f"{A}/episodes/<int:episode_id>/discharge/", episodes_api.EpisodeDischarge.as_view(),
         name="api-care-episodes-discharge"),
    path("api/v1/me/episodes/", episodes_api.MyEpisodes.as_view(), name="api-me-episodes"),
]

# Issue 18, program outcomes for program admins (tracker.outcomes, tracker.web.outcomes, tracker.api.outcomes).
from .api import outcomes as outcomes_api  # noqa: E402
from .web import outcomes as outcomes_pages  # noqa: E402

urlpatterns += [
    path("care/program/", outcomes_pages.program_outcomes, name="care_program"),
    path("care/program/outcomes.csv", outcomes_pages.program_outcomes_csv, name="care_program_csv"),
    path("api/v1/care/program/outcomes/", outcomes_api.ProgramOutcomes.as_view(), name="api-care-program-outcomes"),
]

# Issue 18, treatment plan reviews (tracker.web.plan_reviews, tracker.api.plan_reviews).
urlpatterns += [
    path(f"{P}/reviews/", plan_reviews_web.review, name="care_reviews"),
    path(f"{P}/goals/<uuid:entry_id>/review-date/", plan_reviews_web.review_date, name="care_goal_review_date"),
    path(f"{A}/reviews/", plan_reviews_api.PlanReviews.as_view(), name="api-care-reviews"),
]
