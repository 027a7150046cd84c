"""The demo's past year (issue 18): people admitted over the last twelve to thirteen months and
discharged, so the program's outcome figures have enough episodes to show numbers rather than
"fewer than 11". Loaded by seed_demo.

Everything is derived from a seeded random generator and written with bulk inserts that skip
what is there. The plan (admission days, lengths, discharges) is made relative to today, so it
is written once per person, as a whole: a person who already has episodes keeps them, and the
rows that hang off them (roll marks, notices, questionnaires, aftercare plans) are derived from
the stored episodes, never from a plan made on another day. A second run adds nothing.
"""

import datetime as dt
import random
import sys
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tracker import dates, instruments
from tracker.models import (
    AbsenceNotice,
    AftercarePlan,
    Attendance,
    Episode,
    GroupMembership,
    GroupSession,
    LevelChange,
    Participant,
    Questionnaire,
    QuestionnaireResponse,
    local_instant,
)

NAMESPACE = uuid.UUID("5c1e7a0e-2f4b-4d8e-9b1a-6f0d3c2e8a77")  # the ids of the past year's rows
PAST_PEOPLE = 84
# The first few came back: a short first episode that ended early, then a second one.
READMITTED = 8
FIRST_NAMES = ["Adrian", "Bailey", "Carmen", "Dana", "Eli", "Frances", "Gabe", "Hollis", "Imani", "Joel", "Kendra",
               "Luis", "Maya", "Nico", "Olive", "Pat", "Rosa", "Shane", "Tessa", "Uriel", "Vera", "Wes", "Yara",
               "Zane", "Aisha", "Bruno", "Cleo", "Dmitri"]
LAST_NAMES = ["Alvarez", "Brooks", "Chen", "Dawson", "Ellison", "Foster", "Garcia", "Hughes", "Iverson", "Jensen",
              "Khan", "Lopez", "Moreno", "Nguyen", "Okafor"]
Discharge = Episode.Discharge
# How often each kind of discharge happens, and how long such an episode runs (days).
DISCHARGES = {
    Discharge.COMPLETED: (44, (42, 112)),
    Discharge.STEPPED_DOWN: (20, (28, 84)),
    Discharge.PATIENT_DIRECTED: (18, (14, 49)),
    Discharge.STEPPED_UP: (6, (14, 42)),
    Discharge.TRANSFERRED: (6, (21, 70)),
    Discharge.ADMINISTRATIVE: (6, (14, 56)),
}
# Missed sessions: the chance at the start and at the end of the episode, by kind of discharge.
MISSING = {Discharge.PATIENT_DIRECTED: (0.12, 0.55), Discharge.ADMINISTRATIVE: (0.15, 0.4),
           Discharge.STEPPED_UP: (0.1, 0.3)}
MISSING_DEFAULT = (0.1, 0.05)
REASONS = [("ride", "Car broke down"), ("work", "Double shift"), ("childcare", ""), ("sick", "Flu"),
           ("work", "Called in early"), ("ride", "Bus didn't come"), ("other", "Court date"), ("sick", "")]
PROVIDERS = ["Harbor Counseling (outpatient)", "Dr. Patel's practice", "Riverside Community Health",
             "Northside Recovery Center", "St. Luke's outpatient program"]
MEETINGS = ["AA, Tuesday 7 pm, St. Mark's hall", "SMART Recovery, Thursday 6 pm, online",
            "NA, Saturday 10 am, the community center", "Refuge Recovery, Sunday 5 pm, the library"]
# PHQ-9 and GAD-7 totals at admission; the share of it left near discharge, by kind of discharge.
IMPROVEMENT = {Discharge.COMPLETED: (0.3, 0.65), Discharge.STEPPED_DOWN: (0.45, 0.8),
               Discharge.PATIENT_DIRECTED: (0.75, 1.1), Discharge.STEPPED_UP: (0.85, 1.2),
               Discharge.TRANSFERRED: (0.6, 1.0), Discharge.ADMINISTRATIVE: (0.7, 1.1)}


def names():
    """(username, first, last) of each past person: distinct pairs from two short lists."""
    people = []
    for number in range(PAST_PEOPLE):
        first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number * 7) % len(LAST_NAMES)]
        people.append((f"{first}.{last}".lower(), first, last))
    return people


def plan(number, today):
    """This person's episodes: [(admitted_on, discharged_on, discharge, [(level, from day), ...])]."""
    rng = random.Random(f"past:{number}")
    kinds = list(DISCHARGES)
    if number < READMITTED:
        first_length = rng.randint(14, 35)
        first_in = today - dt.timedelta(days=rng.randint(330, 395))
        first_out = first_in + dt.timedelta(days=first_length)
        again_in = first_out + dt.timedelta(days=rng.randint(21, 90))
        again_kind = rng.choice([Discharge.COMPLETED, Discharge.COMPLETED, Discharge.STEPPED_DOWN])
        again_out = again_in + dt.timedelta(days=rng.randint(*DISCHARGES[again_kind][1]))
        again_out = min(again_out, today - dt.timedelta(days=3))
        return [(first_in, first_out, Discharge.PATIENT_DIRECTED, _levels(rng, first_in, first_out)),
                (again_in, again_out, again_kind, _levels(rng, again_in, again_out))]
    # Every kind of discharge at least once, then by how often each happens.
    index = number - READMITTED
    kind = kinds[index] if index < len(kinds) else rng.choices(kinds, [DISCHARGES[k][0] for k in kinds])[0]
    length = rng.randint(*DISCHARGES[kind][1])
    admitted = today - dt.timedelta(days=rng.randint(length + 3, 395))
    discharged = admitted + dt.timedelta(days=length)
    return [(admitted, discharged, kind, _levels(rng, admitted, discharged))]


def _levels(rng, admitted, discharged):
    """Mostly intensive outpatient throughout; some start in partial hospitalization and step
    down, some step down to outpatient for the last weeks."""
    length = (discharged - admitted).days
    roll = rng.random()
    if roll < 0.15 and length >= 21:
        return [("php", admitted), ("iop", admitted + dt.timedelta(days=length // 3))]
    if roll < 0.3 and length >= 42:
        return [("iop", admitted), ("op", admitted + dt.timedelta(days=2 * length // 3))]
    return [("iop", admitted)]


def load(*, program, counselor, groups, password):
    """Write what is missing of the past year; `groups` are the demo's groups, with their held
    sessions already there; `password` is the demo's. Returns how many past people there are."""
    zone = program.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    people = _people(program, password)
    with transaction.atomic():
        _episodes(people, program, counselor, groups, today)
        # They were on the demo counselor's care team, who keeps reading their record (read-only).
        team = Participant.care_team.through
        team.objects.bulk_create([team(participant_id=p.pk, counselor_id=counselor.pk) for p in people.values()],
                                 ignore_conflicts=True)
        stored = {}
        for episode in Episode.objects.filter(participant__in=list(people.values())).order_by("admitted_on"):
            stored.setdefault(episode.participant_id, []).append(episode)
        sessions = {group.pk: {session.planned_for: session for session in group.sessions.filter(
            status=GroupSession.Status.HELD, planned_for__isnull=False, ends_at__lt=now)} for group in groups}
        memberships = {}
        for membership in GroupMembership.objects.filter(participant__in=list(people.values())):
            memberships.setdefault(membership.participant_id, []).append(membership)
        marks, notices, plans, questionnaires, answers = [], [], [], [], []
        total = len(people)
        for done, (username, participant) in enumerate(sorted(people.items()), start=1):
            for episode in stored.get(participant.pk, []):
                if episode.discharged_on is None:
                    continue
                kind = episode.discharge_type
                for membership in memberships.get(participant.pk, []):
                    if episode.admitted_on <= membership.joined_on <= episode.discharged_on:
                        _roll(username, participant, episode, membership, sessions[membership.group_id],
                              counselor, marks, notices)
                _scores(username, participant, episode, zone, questionnaires, answers)
                if kind in (Discharge.COMPLETED, Discharge.STEPPED_DOWN):
                    plans.append(_aftercare(username, episode, program, zone, counselor))
            if sys.stdout.isatty():
                sys.stdout.write(f"\r  Past participants: {done}/{total}")
                sys.stdout.flush()
        AbsenceNotice.objects.bulk_create(notices, ignore_conflicts=True)
        Attendance.objects.bulk_create(marks, ignore_conflicts=True)
        AftercarePlan.objects.bulk_create(plans, ignore_conflicts=True)
        Questionnaire.objects.bulk_create(questionnaires, ignore_conflicts=True)
        # The responses point at the questionnaires as stored (made now or by an earlier run).
        found = {(q.participant_id, q.instrument, q.due_on): q.pk for q in Questionnaire.objects.filter(
            participant__in=list(people.values()))}
        for response, due_on in answers:
            response.questionnaire_id = found[(response.participant_id, response.instrument, due_on)]
        QuestionnaireResponse.objects.bulk_create([response for response, _ in answers], ignore_conflicts=True)
    discharged = Episode.objects.filter(participant__in=list(people.values()), discharged_on__isnull=False).count()
    sys.stdout.write(f"\r  Past participants: {total}, {discharged} discharged episodes over the last year\n")
    return total


def _people(program, password):
    """{username: participant} of the past people, their accounts made when missing. They share
    the demo password (one hash for all: hashing 84 times would take seconds) but need not sign in."""
    users = get_user_model().objects
    wanted = names()
    have = set(users.filter(username__in=[u for u, _, _ in wanted]).values_list("username", flat=True))
    if len(have) < len(wanted):
        password = make_password(password)
        users.bulk_create([get_user_model()(username=username, first_name=first, last_name=last, password=password)
                           for username, first, last in wanted if username not in have], ignore_conflicts=True)
    by_name = {user.username: user for user in users.filter(username__in=[u for u, _, _ in wanted])}
    Participant.objects.bulk_create([Participant(user=user, program=program, time_zone=program.time_zone)
                                     for user in by_name.values()], ignore_conflicts=True)
    people = {p.user.username: p for p in Participant.objects.filter(user__in=list(by_name.values()))
              .select_related("user")}
    return people


def _episodes(people, program, counselor, groups, today):
    """Episodes, their levels and group memberships, for the people who have no episode yet."""
    zone = program.zone
    with_episodes = set(Episode.objects.filter(participant__in=list(people.values()))
                        .values_list("participant_id", flat=True))
    new, levels, members, joined = [], [], [], []
    for number, (username, _first, _last) in enumerate(names()):
        participant = people[username]
        if participant.pk in with_episodes:
            continue
        episodes = plan(number, today)
        for admitted, discharged, kind, changes in episodes:
            episode = Episode(participant=participant, program=program, admitted_on=admitted,
                              level_of_care=changes[-1][0], counselor=counselor, discharged_on=discharged,
                              discharge_type=kind, created_at=local_instant(admitted, dt.time(10), zone),
                              updated_at=local_instant(discharged, dt.time(16), zone))
            new.append(episode)
            levels.append((episode, changes))
            group = groups[number % len(groups)]
            members.append(GroupMembership(group=group, participant=participant, joined_on=admitted,
                                           left_on=discharged))
        # They joined Steady when first admitted.
        participant.created_at = local_instant(episodes[0][0], dt.time(9), zone)
        joined.append(participant)
    Episode.objects.bulk_create(new)
    LevelChange.objects.bulk_create([
        LevelChange(episode=episode, level_of_care=level, changed_on=day,
                    note="" if day == episode.admitted_on else "Steady enough for fewer hours",
                    created_at=local_instant(day, dt.time(11), zone))
        for episode, changes in levels for level, day in changes])
    GroupMembership.objects.bulk_create(members)
    Participant.objects.bulk_update(joined, ["created_at"])


def _roll(username, participant, episode, membership, held, counselor, marks, notices):
    """Marks at each held session of the membership, missing more towards the end for those
    who left early; half the misses with a notice ahead (excused), the rest absent."""
    days = sorted(day for day in held if membership.joined_on <= day <= (membership.left_on or day))
    start, end = MISSING.get(episode.discharge_type, MISSING_DEFAULT)
    for index, day in enumerate(days):
        session = held[day]
        share = index / max(1, len(days) - 1)
        rng = random.Random(f"{username}:{day}")
        status, minutes, reason = Attendance.Status.PRESENT, None, ""
        if rng.random() < start + (end - start) * share:
            if rng.random() < 0.5:
                status = Attendance.Status.EXCUSED
                reason, words = rng.choice(REASONS)
                ahead = session.starts_at - dt.timedelta(hours=rng.choice([3, 5, 20]))
                notices.append(AbsenceNotice(id=_id(username, "notice", day), participant=participant,
                                             session=session, reason=reason, words=words, created_at=ahead,
                                             updated_at=ahead))
            else:
                status = Attendance.Status.ABSENT
        elif rng.random() < 0.07:
            status, minutes = Attendance.Status.LATE, session.length_min - rng.choice([15, 20, 30])
        elif rng.random() < 0.03:
            status, minutes = Attendance.Status.LEFT_EARLY, session.length_min - 60
        marks.append(Attendance(session=session, participant=participant, status=status, minutes=minutes,
                                reason=reason, recorded_by=counselor.user,
                                recorded_at=session.ends_at - dt.timedelta(minutes=5)))


def _id(*parts):
    return uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts))


def _answers(definition, total, rng):
    scored = [item.key for item in definition.items if not item.safety]
    answers = {item.key: 0 for item in definition.items}
    for _step in range(min(total, 3 * len(scored))):
        answers[rng.choice([key for key in scored if answers[key] < 3])] += 1
    answers["difficulty"] = min(3, total // 6)
    return answers


def _scores(username, participant, episode, zone, questionnaires, answers):
    """PHQ-9 and GAD-7 at admission for nearly everyone and near discharge for most (fewer of
    those who left early), scored by the instrument, lower at the end for those who completed."""
    rng = random.Random(f"{username}:scores:{episode.admitted_on}")
    low, high = IMPROVEMENT[episode.discharge_type]
    left = rng.uniform(low, high)
    last_chance = 0.35 if episode.discharge_type == Discharge.PATIENT_DIRECTED else 0.85
    at_admission = rng.random() < 0.95
    near_discharge = rng.random() < last_chance and (episode.discharged_on - episode.admitted_on).days >= 14
    end_day = episode.discharged_on - dt.timedelta(days=rng.randint(0, 4))
    for key, (lowest, highest) in (("phq9", (8, 22)), ("gad7", (6, 18))):
        definition = instruments.get(key)
        first = rng.randint(lowest, highest)
        for due_on, total, intake, wanted in ((episode.admitted_on, first, True, at_admission),
                                              (end_day, round(first * left), False, near_discharge)):
            if not wanted:
                continue
            total = max(0, min(total, 3 * len([i for i in definition.items if not i.safety])))
            opens = local_instant(due_on, dt.time(0, 0), zone)
            answered = local_instant(due_on, dt.time(rng.randint(9, 20), rng.choice([0, 15, 30, 45])), zone)
            questionnaires.append(Questionnaire(participant=participant, instrument=key, due_on=due_on,
                                                opens_at=opens, closes_at=opens + dt.timedelta(days=3), intake=intake,
                                                status=Questionnaire.Status.DONE, completed_at=answered,
                                                created_at=opens))
            given = _answers(definition, total, random.Random(f"{username}:{key}:{due_on}"))
            scores = definition.score(given)
            answers.append((QuestionnaireResponse(
                id=_id(participant.pk, key, due_on), participant=participant, instrument=key,
                version=definition.version, answers=given, complete=True, completed_at=answered, scores=scores,
                bands=definition.bands_for(scores), created_at=answered, updated_at=answered), due_on))


def _aftercare(username, episode, program, zone, counselor):
    """The plan made at discharge: the next provider and a first appointment within two weeks,
    a meeting or two, who to call; four in ten agreed to check-ups from the program."""
    rng = random.Random(f"{username}:aftercare:{episode.admitted_on}")
    checkups = rng.random() < 0.4
    first = episode.discharged_on + dt.timedelta(days=rng.randint(3, 12))
    return AftercarePlan(
        episode=episode, next_provider=rng.choice(PROVIDERS),
        first_appointment_at=local_instant(first, dt.time(rng.choice([9, 10, 14, 15])), zone),
        first_appointment_place=rng.choice(["Main office", "Suite 210", "Online"]),
        prescriber=rng.choice(["", "", "Dr. Patel", "Dr. Okoro"]),
        meetings="\n".join(rng.sample(MEETINGS, rng.choice([1, 2]))),
        people=rng.choice(["My sister, 555-0101", "Sponsor (Mike), 555-0134", "My partner, 555-0188"]),
        follow_up=rng.choice(["Call the program if the first appointment falls through.",
                              "Come back to group on Thursdays for a month.", "Text the counselor after the first visit."]),
        checkups=checkups,
        checkups_until=dates.add_months(episode.discharged_on, program.checkup_months) if checkups else None,
        updated_by=counselor.user, updated_at=local_instant(episode.discharged_on, dt.time(15), zone))
