"""Load a demo program: one counselor and three participants with 60 believable days.

Safe to run again (`make run` runs it every time): every row has an id derived from its owner
and day, and a run only creates the rows that are missing. A row that is there is never
changed, so what someone edited while trying Steady stays as they left it; one they deleted
comes back. It only ever writes the demo accounts.
"""

import datetime as dt
import random
import sys
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tracker import accounts, aftercare, episodes, instruments, measures, reminders, schedule, services

from . import _demo_history
from tracker.models import (
    AbsenceNotice,
    Attendance,
    CheckIn,
    Counselor,
    Delivery,
    Goal,
    Medication,
    Group,
    GroupMembership,
    GroupSession,
    HighRiskTime,
    Participant,
    Program,
    PushSubscription,
    Questionnaire,
    QuestionnaireResponse,
    Reminder,
    Strategy,
    Task,
    Tombstone,
    Trigger,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    local_instant,
    week_start,
    weekend_friday,
)

DEMO_PROGRAM = "Steady Demo Clinic"
DEMO_PASSWORD = "steady-demo"
NAMESPACE = uuid.UUID("0b6f2d8e-4d55-4c3b-9a53-5f3c1f0c2a11")
DAYS = 60
MAX_URGES_PER_DAY = 4

# (username, first name, zone, the story): a setback day counts back from today.
# "scores": PHQ-9 and GAD-7 totals at intake and every two weeks since; "medication": (name, times).
PEOPLE = [
    ("alex", "Alex", "America/New_York", {"setback_days_ago": None, "friday_evenings": True,
                                          "scores": {"phq9": [15, 12, 9, 7], "gad7": [12, 10, 7, 5]}}),
    ("sam", "Sam", "America/Chicago", {"setback_days_ago": 12, "friday_evenings": False,
                                       "scores": {"phq9": [17, 15, 11, 16], "gad7": [14, 12, 9, 13]},
                                       "medication": ("Naltrexone", ["08:00"])}),
    ("jordan", "Jordan", "America/Los_Angeles", {"setback_days_ago": None, "friday_evenings": False,
                                                 "scores": {"phq9": [9, 8, 8, 6], "gad7": [7, 6, 6, 4]}}),
]
# The demo people joined this many days ago: intake, then every 14 days, so today's are due.
QUESTIONNAIRE_DAYS_AGO = 56
# Who has no phone set up for notifications in the demo (the grey setup chip on the caseload).
NO_PHONE = {"jordan"}
WINS = [
    "Walked to the shop instead of driving past the bar",
    "Cooked dinner for the kids",
    "Called my sister",
    "Went to bed before midnight",
    "Said no to a drink at work",
    "Made it to every session this week",
    "Took my meds on time",
    "Asked for help at group",
    "Fixed the bike",
    "Finished the job application",
    "Ate breakfast",
    "Played football with my son",
]


# The program's two groups (issue 16): (name, kind, weekdays, start, place, members). The three
# demo people are in the evening group; the other members are group-only accounts (no entries,
# not on the demo counselor's caseload), who sign in with the same password.
GROUP_WEEKS = 8
# How far back the groups have met (a year and a month): the past participants' time.
HISTORY_WEEKS = 57
GROUPS = [
    ("Evening group", "process", [0, 2, 3], dt.time(18, 0), "Room 2",
     ["alex", "sam", "jordan", "riley", "blake", "cameron", "devon", "jamie", "quinn", "avery", "taylor", "reese"]),
    ("Morning group", "relapse_prevention", [1, 3, 4], dt.time(9, 0), "Room 1",
     ["drew", "harper", "kai", "logan", "parker", "rowan", "sky", "emery", "finley", "hayden", "jesse", "marley"]),
]
# Who drifts away: present at first, then misses more, and missed the last two sessions.
DRIFTING = "devon"
# Notices given for some absences: (reason, words).
NOTICE_REASONS = [("ride", "Car broke down"), ("work", "Double shift"), ("childcare", ""), ("sick", "Flu")]


def _id(*parts):
    return uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts))


def _create(put, model, *, participant, id, data, **extra):
    """Write a demo row only if it is missing: never over a row that is there (edited or not), nor
    over the participant's own entry for the same day or week. A demo row deleted in the app left a
    tombstone that would refuse it: the loader's own ids may come back, so it goes first."""
    if model.objects.filter(pk=id).exists():
        return
    one_per = getattr(model, "ONE_PER", None)
    if one_per and model.objects.filter(participant=participant, **{one_per: data[one_per]}).exists():
        return
    Tombstone.objects.filter(pk=id, participant=participant).delete()
    put(participant=participant, id=id, data=data, **extra)


def _clock(minutes_after_midnight):
    minutes = round(minutes_after_midnight) % (24 * 60)
    return dt.time(minutes // 60, minutes % 60)


class Command(BaseCommand):
    help = "Load the demo program with a counselor and three participants; a second run adds only what is missing."

    def handle(self, *args, **options):
        program, _ = Program.objects.get_or_create(name=DEMO_PROGRAM)
        counselor_user = self._user("counselor", "Casey", "Morgan", staff=True)
        counselor, _ = Counselor.objects.get_or_create(user=counselor_user,
                                                       defaults={"program": program, "is_program_admin": True})
        for username, first, zone, story in PEOPLE:
            user = self._user(username, first, "Demo")
            participant, _ = Participant.objects.get_or_create(user=user, defaults={"program": program, "time_zone": zone})
            participant.care_team.add(counselor)
            self._joined(participant)
            self._admitted(participant, counselor, participant.created_at.astimezone(participant.zone).date())
            self._medications(participant, story)
            self._seed(participant, story)
            self._questionnaires(participant, story)
            self._plans(participant, counselor_user)
            reminders.reminders_sync(participant=participant)
            self._reminder_history(participant)
        self._groups(program, counselor)
        self.stdout.write(self.style.SUCCESS("Demo program ready."))
        self.stdout.write(f"  Participants: alex, sam, jordan   password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Group members (Groups at /care/groups/): riley, drew and 19 more   password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Past participants: {_demo_history.PAST_PEOPLE} people discharged over the last year "
                          "(program outcomes at /care/program/)")
        self.stdout.write(f"  Counselor:    counselor            password: {DEMO_PASSWORD} (caseload at /care/, "
                          "program admin: audit log at /care/audit/)")

    def _groups(self, program, counselor):
        """Two groups of twelve, eight weeks of sessions with attendance and a few notices, and
        the sessions ahead (planned eight weeks out, as the beat does). Rows are created only when
        missing (bulk inserts that skip what is there), never changed."""
        zone = program.zone
        now = timezone.now()
        today = now.astimezone(zone).date()
        first = week_start(today) - dt.timedelta(weeks=GROUP_WEEKS)
        # The groups have met for a year and more: the past participants (_demo_history) were in them.
        since = week_start(today) - dt.timedelta(weeks=HISTORY_WEEKS)
        groups = []
        for name, kind, weekdays, start, place, members in GROUPS:
            group, _ = Group.objects.get_or_create(program=program, name=name, defaults={
                "kind": kind, "weekdays": weekdays, "start_time": start, "length_min": 180, "place": place,
                "active_from": since})
            if group.active_from > since:  # a demo loaded before the past year was added: only ever earlier
                Group.objects.filter(pk=group.pk).update(active_from=since)
                group.active_from = since
            groups.append(group)
            group.facilitators.add(counselor)
            people = []
            for username in members:
                user = self._user(username, username.capitalize(), "Demo")
                participant, _ = Participant.objects.get_or_create(user=user, defaults={
                    "program": program, "time_zone": program.time_zone})
                self._admitted(participant, counselor, first)
                GroupMembership.objects.get_or_create(group=group, participant=participant,
                                                      defaults={"joined_on": first})
                people.append(participant)
            # The past year (planned back then), held; then the weeks ahead.
            past = [GroupSession(group=group, planned_for=day, status=GroupSession.Status.HELD,
                                 starts_at=local_instant(day, start, zone),
                                 ends_at=local_instant(day, start, zone) + dt.timedelta(minutes=group.length_min))
                    for day in schedule.planned_days(group, group.active_from, today)
                    if local_instant(day, start, zone) + dt.timedelta(minutes=group.length_min) < now]
            GroupSession.objects.bulk_create(past, ignore_conflicts=True)
            sessions = list(group.sessions.filter(ends_at__lt=now, planned_for__gte=first).order_by("starts_at"))
            self._attendance(sessions, people, counselor, now)
            sys.stdout.write(f"  {name}: {len(people)} members, {len(sessions)} sessions held in the last "
                             f"{GROUP_WEEKS} weeks, {len(past)} in all\n")
        _demo_history.load(program=program, counselor=counselor, groups=groups, password=DEMO_PASSWORD)
        schedule.plan_sessions(program, now)
        # The aftercare check-ups due now (the hourly beat does this from then on).
        aftercare.plan_checkups(now=now)

    def _attendance(self, sessions, people, counselor, now):
        marks, notices = [], []
        for index, session in enumerate(sessions):
            from_end = len(sessions) - index  # 1 is the last session held
            for person in people:
                name = person.user.username
                rng = random.Random(f"{name}:{session.planned_for}")
                if name == DRIFTING:
                    missed = from_end <= 2 or (from_end <= 8 and rng.random() < 0.5)
                else:
                    missed = rng.random() < 0.08
                status, minutes, reason = Attendance.Status.PRESENT, None, ""
                if missed:
                    notice = rng.random() < 0.5 and name != DRIFTING
                    status = Attendance.Status.EXCUSED if notice else Attendance.Status.ABSENT
                    if notice:
                        reason, words = rng.choice(NOTICE_REASONS)
                        notices.append(AbsenceNotice(
                            id=_id(name, "notice", session.planned_for), participant=person, session=session,
                            reason=reason, words=words, created_at=session.starts_at - dt.timedelta(hours=5),
                            updated_at=session.starts_at - dt.timedelta(hours=5)))
                elif rng.random() < 0.06:
                    status, minutes = Attendance.Status.LATE, session.length_min - rng.choice([15, 20, 30])
                elif rng.random() < 0.04:
                    status, minutes = Attendance.Status.LEFT_EARLY, session.length_min - 60
                marks.append(Attendance(session=session, participant=person, status=status, minutes=minutes,
                                        reason=reason, recorded_by=counselor.user,
                                        recorded_at=session.ends_at - dt.timedelta(minutes=5)))
        # Only what is missing: a notice or mark that is there (changed or not) stays as it is.
        AbsenceNotice.objects.bulk_create(notices, ignore_conflicts=True)
        Attendance.objects.bulk_create(marks, ignore_conflicts=True)

    def _reminder_history(self, participant):
        """A phone set up and a week of check-in reminders that reached it, for everyone but
        the people in NO_PHONE (who show the grey "Reminders not set up" chip). Rows only,
        created when missing: the endpoint is never sent to by this command."""
        name = participant.user.username
        if name in NO_PHONE:
            return
        PushSubscription.objects.get_or_create(
            endpoint=f"https://fcm.googleapis.com/fcm/send/demo-{_id(name, 'push')}",
            defaults={"user": participant.user, "p256dh": "demo", "auth": "demo", "user_agent": "Demo phone"})
        reminder = Reminder.objects.filter(participant=participant, kind=Reminder.Kind.CHECKIN).first()
        if reminder is None:
            return
        now = timezone.now()
        for days_ago in range(1, 8):
            due = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
            Delivery.objects.get_or_create(reminder=reminder, due_at=due, defaults={
                "status": Delivery.Status.SENT, "channel": Delivery.Channel.PUSH, "attempts": 1,
                "sent_at": due + dt.timedelta(seconds=5),
                "opened_at": due + dt.timedelta(minutes=12) if days_ago % 2 else None})

    def _user(self, username, first, last, staff=False):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _seed(self, participant, story):
        name = participant.user.username
        now = participant.local_now()
        today = now.date()
        first = today - dt.timedelta(days=DAYS - 1)
        with transaction.atomic():
            for index in range(DAYS):
                day = first + dt.timedelta(days=index)
                progress = index / (DAYS - 1)
                rng = random.Random(f"{name}:{day}")
                self._checkin(participant, name, day, progress, rng, is_today=day == today, story=story,
                              days_ago=(today - day).days)
                self._urges(participant, name, day, progress, rng, story, now)
                if day.weekday() == 6 and day < today:
                    self._reflection(participant, name, week_start(day), rng)
                if sys.stdout.isatty():
                    sys.stdout.write(f"\r  {name}: day {index + 1}/{DAYS}")
                    sys.stdout.flush()
        sys.stdout.write(f"\r  {name}: {DAYS}/{DAYS} days\n")

    def _checkin(self, participant, name, day, progress, rng, is_today, story, days_ago):
        # About one day in eight has no check-in, and Alex has not checked in yet today.
        if rng.random() < 0.12 or (is_today and name == "alex"):
            return
        bed = 23 * 60 + 40 - 40 * progress + rng.gauss(0, 25)
        latency = max(0, round(45 - 30 * progress + rng.gauss(0, 8)))
        awakenings = max(0, round(3 - 2 * progress + rng.gauss(0, 0.7)))
        awake = max(0, round(awakenings * (22 - 12 * progress) + rng.gauss(0, 5)))
        wake = 6 * 60 + 40 + rng.gauss(0, 20)
        _create(
            services.checkin_put, CheckIn,
            participant=participant,
            id=_id(name, "checkin", day),
            data={
                "date": day,
                "in_bed_at": _clock(bed),
                "tried_sleep_at": _clock(bed + rng.choice([0, 5, 10, 20])),
                "sleep_latency_min": latency,
                "awakenings": awakenings,
                "awake_min": awake,
                "final_wake_at": _clock(wake),
                "out_of_bed_at": _clock(wake + rng.choice([5, 10, 20, 30])),
                "sleep_quality": min(5, max(1, round(2 + 2 * progress + rng.gauss(0, 0.6)))),
                "stress": min(10, max(0, round(7 - 3.5 * progress + rng.gauss(0, 1.2)))),
                "mood": min(5, max(1, round(2 + 2 * progress + rng.gauss(0, 0.6)))),
                "regular_meals": rng.choice(["no", "some", "yes", "yes"] if progress > 0.4 else ["no", "some", "some", "yes"]),
                "small_win": rng.choice(WINS) if rng.random() < 0.55 else "",
                **self._use_and_medication(rng, story, days_ago),
            },
        )

    def _use_and_medication(self, rng, story, days_ago):
        """The check-in's use and medication answers: mostly "no", now and then "rather not say",
        "yes" on the setback day; the medication taken, with a dose missed now and then."""
        answers = {}
        if story["setback_days_ago"] == days_ago:
            answers.update(used_today="yes", substances=["alcohol"])
        elif rng.random() < 0.9:
            answers["used_today"] = "skip" if rng.random() < 0.06 else "no"
        if story.get("medication"):
            if rng.random() < 0.85:
                answers["took_medication"] = "yes"
            else:
                answers.update(took_medication="some", doses_missed=1)
        return answers

    def _admitted(self, participant, counselor, day):
        """An open episode from the day they joined, as joining makes one (once)."""
        if not participant.episodes.exists():
            episodes.admit(participant=participant, admitted_on=day, level_of_care=Participant.LevelOfCare.IOP,
                           counselor=counselor, actor=None)

    def _joined(self, participant):
        """The demo people joined when their history starts (questionnaires count from intake)."""
        joined = local_instant(participant.local_today() - dt.timedelta(days=QUESTIONNAIRE_DAYS_AGO),
                               dt.time(9, 0), participant.zone)
        if participant.created_at > joined:
            Participant.objects.filter(pk=participant.pk).update(created_at=joined)
            participant.created_at = joined

    def _medications(self, participant, story):
        if story.get("medication"):
            name, times = story["medication"]
            _create(services.medication_put, Medication, participant=participant, id=_id(participant.pk, "medication"),
                    data={"name": name, "times": times})

    def _questionnaires(self, participant, story):
        """PHQ-9 and GAD-7 answered at intake and every two weeks since (the built-in schedule),
        scored by the instrument; today's are due (planned by tracker.measures, as the beat does)."""
        if not accounts.notice_acknowledged(participant.user):
            accounts.notice_acknowledge(participant=participant)
        today = participant.local_today()
        for key, totals in story["scores"].items():
            definition = instruments.get(key)
            for number, total in enumerate(totals):
                due_on = today - dt.timedelta(days=QUESTIONNAIRE_DAYS_AGO - 14 * number)
                opens = local_instant(due_on, dt.time(0, 0), participant.zone)
                questionnaire, _ = Questionnaire.objects.get_or_create(
                    participant=participant, instrument=key, due_on=due_on,
                    defaults={"opens_at": opens, "closes_at": opens + dt.timedelta(days=3), "intake": number == 0})
                response_id = _id(participant.pk, key, due_on)
                if QuestionnaireResponse.objects.filter(questionnaire=questionnaire).exists():
                    continue
                rng = random.Random(f"{participant.user.username}:{key}:{due_on}")
                scored = [item.key for item in definition.items if not item.safety]
                answers = {item.key: 0 for item in definition.items}
                for _step in range(total):
                    answers[rng.choice([k for k in scored if answers[k] < 3])] += 1
                answers["difficulty"] = min(3, total // 6)
                services.response_put(participant=participant, id=response_id, data={
                    "questionnaire": questionnaire, "instrument": key, "version": definition.version,
                    "answers": answers, "complete": True})
                answered = local_instant(due_on, dt.time(19, 30), participant.zone)
                QuestionnaireResponse.objects.filter(pk=response_id).update(
                    created_at=answered, updated_at=answered, completed_at=answered)
                questionnaire.refresh_from_db()
                Questionnaire.objects.filter(pk=questionnaire.pk).update(completed_at=answered)
        measures.plan_questionnaires(participants=[participant])

    def _urges(self, participant, name, day, progress, rng, story, now):
        count = min(MAX_URGES_PER_DAY, max(0, round(2.4 - 1.8 * progress + rng.gauss(0, 0.7))))
        is_friday_evening = story["friday_evenings"] and day.weekday() == 4
        setback_day = story["setback_days_ago"] is not None and day == now.date() - dt.timedelta(
            days=story["setback_days_ago"]
        )
        if is_friday_evening or setback_day:
            count = max(count, 1)
        for n in range(count):
            hour = rng.uniform(17.2, 19.8) if is_friday_evening and n == 0 else rng.uniform(7, 23.5)
            when = dt.datetime.combine(day, _clock(hour * 60), tzinfo=participant.zone)
            if when > now:
                continue
            used = setback_day and n == 0
            _create(
                services.urge_put, Urge,
                participant=participant,
                id=_id(name, "urge", day, n),
                data={
                    "occurred_at": when,
                    "intensity": min(10, max(1, round(7.5 - 3.5 * progress + rng.gauss(0, 1.2) + (2 if used else 0)))),
                    "duration_min": max(2, round(40 - 28 * progress + rng.gauss(0, 6))),
                    "triggers": rng.sample(Trigger.values, rng.choice([1, 1, 2])),
                    "helped": [] if used else rng.sample(Strategy.values, rng.choice([1, 2, 2, 3])),
                    "outcome": "used" if used else rng.choice(["passed", "passed", "passed", "reached_out"]),
                    "note": "Payday and an old friend called. Told my counselor the next morning." if used else "",
                },
            )

    def _reflection(self, participant, name, monday, rng):
        _create(
            services.reflection_put, WeeklyReflection,
            participant=participant,
            id=_id(name, "reflection", monday),
            data={
                "week_start": monday,
                "wins": rng.sample(WINS, rng.choice([2, 3, 4])),
                "hard": rng.choice(["The weekend, with nothing planned.", "Work was loud this week.", "Sleep, early in the week."]),
                "focus": rng.choice(["Plan Saturday before Friday night.", "Call someone before 6 pm.", "Bed by 23:00."]),
            },
        )



    def _plans(self, participant, counselor_user):
        """A safety plan in two versions, weekend plans with Monday reviews, goals and tasks."""
        name = participant.user.username
        today = participant.local_today()
        first_plan = {
            "warning_signs": ["Skipping meals", "Staying up past 1 am", "Thinking “just one won’t hurt”"],
            "coping_alone": ["A walk round the block", "A cold shower", "Music with headphones"],
            "distractions": [{"name": "The library", "phone": ""}, {"name": "Sam from group", "phone": "555-0142"}],
            "helpers": [{"name": "My sister Ana", "phone": "555-0101"}],
            "professionals": [{"name": "Casey Morgan, counselor", "phone": "555-0199"}],
            "safe_space": ["Nothing at home to drink"],
            "reasons": ["My kids", "Being at work on Monday"],
        }
        second_plan = {**first_plan, "helpers": [*first_plan["helpers"], {"name": "Uncle Joe", "phone": "555-0177"}],
                       "reasons": [*first_plan["reasons"], "Running the 5K in spring"]}
        for number, plan in enumerate([first_plan, second_plan], start=1):
            if not participant.safety_plan_versions.filter(pk=_id(name, "safety-plan", number)).exists():
                services.safety_plan_save(participant=participant, id=_id(name, "safety-plan", number), data=plan,
                                          author=participant.user)
        this_friday = weekend_friday(today)
        outcomes = ["as_planned", "harder", "better", "better"]
        for weeks_ago in range(4, -1, -1):
            friday = this_friday - dt.timedelta(days=7 * weeks_ago)
            if weeks_ago == 0 and name == "alex":
                continue  # Alex has not planned this weekend yet: Today offers it.
            over = friday + dt.timedelta(days=2) <= today
            reviewed = over and not (weeks_ago == 1 and name == "sam")
            _create(services.weekend_plan_put, WeekendPlan, participant=participant, id=_id(name, "weekend", friday), data={
                "weekend_of": friday,
                "friday_evening": "Meeting at 7, then dinner with Ana",
                "saturday": "Kids' football in the morning, groceries, film night",
                "sunday": "Long walk, call Mum, early night",
                "who_to_call": "Ana (555-0101), Sam from group",
                "places_to_avoid": "The Anchor, Main Street after 9",
                "if_urge": "Leave, text Sam, walk for 20 minutes",
                "safe_ride": "Ana, or the 42 bus",
                "how_it_went": outcomes[weeks_ago % 4] if reviewed else "",
                "review_note": "Having Saturday filled up helped." if reviewed else "",
            })
        goals = [("Fewer triggers at home", "So evenings feel calmer for me and the kids."),
                 ("A new morning routine", "Mornings set up the whole day.")]
        for index, (title, why) in enumerate(goals):
            _create(services.goal_put, Goal, participant=participant, id=_id(name, "goal", index), actor=counselor_user,
                    data={"title": title, "why": why, "status": "active"})
        tasks = [
            ("Write down three urges and what helped", 0, today, False),
            ("Plan a call before 6 pm on Friday", 0, today - dt.timedelta(days=1), False),
            ("Clear the cupboard above the fridge", 0, today - dt.timedelta(days=6), True),
            ("Alarm at 7:00 and breakfast before the phone", 1, today + dt.timedelta(days=2), False),
        ]
        for index, (title, goal, due, done) in enumerate(tasks):
            _create(services.task_put, Task, participant=participant, id=_id(name, "task", index), actor=counselor_user,
                    data={"title": title, "due_date": due, "done": done,
                          "goal": participant.goals.filter(pk=_id(name, "goal", goal)).first()})
        if name == "jordan":
            _create(services.high_risk_time_put, HighRiskTime, participant=participant, id=_id(name, "high-risk", 0), data={
                "label": "After work", "weekdays": [0, 1, 2, 3, 4], "start_time": dt.time(17, 30),
                "end_time": dt.time(19, 30)})
