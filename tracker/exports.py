"""Exports: the care team's export of a participant (with the 42 CFR Part 2 notice) and a
participant's own export of everything linked to them. Both come as JSON or as long-format CSV
rows (record type, id, field, value); `plain` and `cell` are the one way a value becomes JSON or
a CSV cell."""

import datetime as dt
import json
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import (
    AbsenceNotice,
    AftercarePlan,
    Attendance,
    CheckIn,
    Checkup,
    CheckupAnswer,
    Delivery,
    Episode,
    FlagAcknowledgement,
    Goal,
    GoalReview,
    HighRiskTime,
    LevelChange,
    Medication,
    NoticeAcknowledgement,
    PlanReview,
    PushSubscription,
    Questionnaire,
    QuestionnaireResponse,
    Reminder,
    SafetyPlanVersion,
    TalkRequest,
    Task,
    Tombstone,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)

# 42 CFR 2.32(a)(1): the notice that must go with a disclosure of Part 2 records. Every export
# carries it in English (the regulation's words) and in Spanish, together, whatever the language
# of the person exporting: a record travels, and its reader's language is not known. (Not through
# gettext on purpose: both texts, always. The Spanish awaits review with the rest of the catalog.)
PART2_NOTICE_EN = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against the patient, unless "
    "authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by "
    "a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making "
    "any other use or disclosure of this record unless at least one of the following applies: (i) Further "
    "use or disclosure is expressly permitted by the written consent of the individual whose information is "
    "being disclosed in this record or as otherwise permitted by 42 CFR part 2. (ii) You are a covered "
    "entity or business associate and have received the record for treatment, payment, or health care "
    "operations, or (iii) You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or "
    "other information is NOT sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31)."
)
PART2_NOTICE_ES = (
    "Este registro que se le ha divulgado está protegido por las normas federales de confidencialidad "
    "(42 CFR parte 2). Estas normas le prohíben usar o divulgar este registro, o testimonios que describan "
    "la información contenida en este registro, en cualquier procedimiento civil, penal, administrativo o "
    "legislativo de cualquier autoridad federal, estatal o local, en contra del paciente, a menos que lo "
    "autorice el consentimiento del paciente, excepto según lo dispuesto en 42 CFR 2.12(c)(5) o según lo "
    "autorice un tribunal de acuerdo con 42 CFR 2.64 o 2.65. Además, las normas federales le prohíben hacer "
    "cualquier otro uso o divulgación de este registro a menos que se cumpla al menos una de las siguientes "
    "condiciones: (i) el uso o la divulgación adicional está expresamente permitido por el consentimiento "
    "escrito de la persona cuya información se divulga en este registro o está permitido de otro modo por "
    "42 CFR parte 2; (ii) usted es una entidad cubierta o un socio comercial y ha recibido el registro para "
    "tratamiento, pago u operaciones de atención médica; o (iii) usted ha recibido el registro de una entidad "
    "cubierta o de un socio comercial según lo permitido por 45 CFR parte 164, subpartes A y E. Una "
    "autorización general para la divulgación de información médica o de otro tipo NO es suficiente para "
    "cumplir con los elementos requeridos del consentimiento escrito para usar o volver a divulgar el "
    "registro (ver 42 CFR 2.31)."
)
PART2_NOTICE = f"{PART2_NOTICE_EN}\n\n{PART2_NOTICE_ES}"

# ---------------------------------------------------------------------------------------------
# Export: everything linked to the person that a counselor may see, with the Part 2 notice.

# (record type, model, fields). Notes marked private are left out (see `_row`).
EXPORT_KINDS = [
    ("checkin", CheckIn, [f for f in CheckIn.WRITABLE if f != "note_private"]
     + ["time_in_bed_min", "total_sleep_min", "sleep_efficiency"]),
    ("urge", Urge, [f for f in Urge.WRITABLE if f != "note_private"]),
    ("reflection", WeeklyReflection, list(WeeklyReflection.WRITABLE)),
    ("weekend_plan", WeekendPlan, list(WeekendPlan.WRITABLE)),
    ("safety_plan_version", SafetyPlanVersion, ["number", *SafetyPlanVersion.WRITABLE]),
    ("goal", Goal, [*Goal.WRITABLE, "review_on"]),  # review_on: the care team's review date (issue 18)
    ("task", Task, [f for f in Task.WRITABLE if f != "goal"] + ["goal_id", "done_at"]),
    ("high_risk_time", HighRiskTime, list(HighRiskTime.WRITABLE)),
    ("talk_request", TalkRequest, list(TalkRequest.WRITABLE)),
    ("absence_notice", AbsenceNotice, ["session_id", "reason", "words"]),
    ("medication", Medication, [*Medication.WRITABLE, "added_by_id"]),  # issue 17
    ("checkup_answer", CheckupAnswer, ["checkup_id", "answers", "wants_talk", "risky"]),  # issue 18
]


def plain(value):
    """A value as JSON holds it: dates and times in ISO 8601, ids as text."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _row(entry, fields, include_private):
    row = {"id": str(entry.pk), "created_at": entry.created_at.isoformat(), "updated_at": entry.updated_at.isoformat()}
    for name in fields:
        row[name] = entry.shared_note if name == "note" and not include_private else plain(getattr(entry, name))
    if include_private and hasattr(entry, "note_private"):
        row["note_private"] = entry.note_private
    return row


def export_records(*, participant, include_private=False):
    """Yield (record type, row dict) for every record, a kind at a time, oldest first. Private
    notes come out empty unless include_private (the participant's own export)."""
    for kind, model, fields in EXPORT_KINDS:
        for entry in model.objects.filter(participant=participant).order_by("created_at", "pk").iterator(chunk_size=500):
            yield kind, _row(entry, fields, include_private)
    # Group attendance as the roll recorded it (issue 16): one row per session marked.
    for mark in (Attendance.objects.filter(participant=participant).select_related("session__group")
                 .order_by("session__starts_at", "pk").iterator(chunk_size=500)):
        yield "attendance", {"id": mark.pk, "session_id": mark.session_id, "group": mark.session.group.name,
                             "starts_at": mark.session.starts_at.isoformat(), "status": mark.status,
                             "minutes": mark.minutes, "reason": mark.reason, "recorded_at": mark.recorded_at.isoformat()}
    yield from questionnaire_records(participant)
    yield from episode_records(participant, own=include_private)


def care_export_header(*, participant, user, now=None):
    return {
        "notice": PART2_NOTICE,
        "participant": {"id": participant.pk, "name": str(participant), "program": participant.program.name,
                        "time_zone": participant.time_zone, "level_of_care": participant.level_of_care},
        "exported_at": (now or timezone.now()).isoformat(),
        "exported_by": user.get_username(),
        "private_notes": _("Notes the participant marked private are not included."),
    }


def care_export_json(*, participant, user):
    data = care_export_header(participant=participant, user=user)
    data["records"] = {kind: [] for kind, _, _ in EXPORT_KINDS} | {"attendance": []} | {
        kind: [] for kind in (*QUESTIONNAIRE_KINDS, *EPISODE_KINDS)}
    for kind, row in export_records(participant=participant):
        data["records"][kind].append(row)
    return data


def care_export_csv_rows(*, participant, user):
    """Long format, one value per row: record type, id, field, value. The notice comes first."""
    header = care_export_header(participant=participant, user=user)
    yield ["notice", "", "", header["notice"]]
    yield ["export", "", "exported_at", header["exported_at"]]
    yield ["export", "", "exported_by", header["exported_by"]]
    yield ["export", "", "private_notes", header["private_notes"]]
    for name, value in header["participant"].items():
        yield ["participant", str(participant.pk), name, value]
    yield ["record_type", "record_id", "field", "value"]
    for kind, row in export_records(participant=participant):
        yield from csv_rows(kind, row)


def cell(value):
    """A value as one CSV cell: lists joined (or as JSON when they hold objects), None empty."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False) if any(isinstance(v, dict) for v in value) else "; ".join(map(str, value))
    return "" if value is None else value


def csv_rows(kind, row):
    """A record's long-format rows: one per field, and one per key of a field that holds an
    object (a response's answers: "answers.7a")."""
    for name, value in row.items():
        if name == "id":
            continue
        if isinstance(value, dict):
            for key, inner in value.items():
                yield [kind, row["id"], f"{name}.{key}", cell(inner)]
        else:
            yield [kind, row["id"], name, cell(value)]


# ---------------------------------------------------------------------------------------------
# Questionnaires and their responses (issue 17): item-level answers ({item key: option value})
# with the instrument's key and version, so each answer reads against that version's definition
# (tracker.instruments, docs/instruments/). A draft is marked as one and never carries scores.

QUESTIONNAIRE_KINDS = ("questionnaire", "questionnaire_response")


def questionnaire_records(participant):
    for q in Questionnaire.objects.filter(participant=participant).order_by("due_on", "pk").iterator(chunk_size=500):
        yield "questionnaire", {"id": q.pk, "instrument": q.instrument, "due_on": q.due_on.isoformat(),
                                "opens_at": q.opens_at.isoformat(), "closes_at": q.closes_at.isoformat(),
                                "intake": q.intake, "status": q.status, "completed_at": plain(q.completed_at)}
    for response in (QuestionnaireResponse.objects.filter(participant=participant).order_by("created_at", "pk")
                     .iterator(chunk_size=500)):
        row = {"id": str(response.pk), "created_at": response.created_at.isoformat(),
               "updated_at": response.updated_at.isoformat(), "questionnaire_id": response.questionnaire_id,
               "instrument": response.instrument, "version": response.version,
               "status": "complete" if response.complete else "draft", "completed_at": plain(response.completed_at),
               "answers": dict(response.answers)}
        if response.complete:
            row["scores"] = dict(response.scores)
            row["bands"] = dict(response.bands)
        yield "questionnaire_response", row


# ---------------------------------------------------------------------------------------------
# Episodes of care and what hangs on them (issue 18): level changes, plan reviews with each goal's
# progress, the aftercare plan and the check-ups. The clinic's record, so both exports hold it.

EPISODE_KINDS = ("episode", "level_change", "plan_review", "goal_review", "aftercare_plan", "checkup")


def _name(counselor):
    return (counselor.user.get_full_name() or counselor.user.get_username()) if counselor else ""


def _in_plain_words(episode):
    if episode.discharged_on is None:
        return _("In the program since %(first)s, at this level of care: %(level)s.") % {
            "first": episode.admitted_on.isoformat(), "level": episode.get_level_of_care_display()}
    return _("In the program from %(first)s to %(last)s. How it ended: %(how)s.") % {
        "first": episode.admitted_on.isoformat(), "last": episode.discharged_on.isoformat(),
        "how": episode.get_discharge_type_display()}


def episode_records(participant, *, own=False):
    """Yield (kind, row) for the person's episodes and every row linked through them, oldest first.

    `own` is the person's own export. It holds everything the clinic holds about them, the care
    team's discharge note included: 45 CFR 164.524 gives a person the right to inspect and get a
    copy of their designated record set, and these rows are part of it (they are not psychotherapy
    notes, the one exception that could apply). It also says the episode in plain words."""
    episodes = list(Episode.objects.filter(participant=participant).select_related("counselor__user")
                    .order_by("admitted_on", "pk"))
    for episode in episodes:
        row = {"id": episode.pk, "admitted_on": episode.admitted_on.isoformat(),
               "level_of_care": episode.level_of_care, "counselor": _name(episode.counselor),
               "next_review_on": plain(episode.next_review_on), "discharged_on": plain(episode.discharged_on),
               "discharge_type": episode.discharge_type, "discharge_note": episode.discharge_note,
               "created_at": episode.created_at.isoformat(), "updated_at": episode.updated_at.isoformat()}
        if own:
            row["in_plain_words"] = _in_plain_words(episode)
        yield "episode", row
    ids = [episode.pk for episode in episodes]
    for change in LevelChange.objects.filter(episode_id__in=ids).order_by("changed_on", "created_at", "pk"):
        yield "level_change", {"id": change.pk, "episode_id": change.episode_id, "level_of_care": change.level_of_care,
                               "changed_on": change.changed_on.isoformat(), "note": change.note,
                               "created_at": change.created_at.isoformat()}
    reviews = list(PlanReview.objects.filter(episode_id__in=ids).select_related("counselor__user")
                   .order_by("reviewed_on", "created_at", "pk"))
    for review in reviews:
        yield "plan_review", {"id": review.pk, "episode_id": review.episode_id,
                              "reviewed_on": review.reviewed_on.isoformat(), "note": review.note,
                              "counselor": _name(review.counselor), "created_at": review.created_at.isoformat()}
    for line in GoalReview.objects.filter(review__in=reviews).order_by("review__reviewed_on", "pk"):
        yield "goal_review", {"id": line.pk, "review_id": line.review_id, "goal_id": plain(line.goal_id),
                              "goal_title": line.goal_title, "progress": line.progress, "note": line.note}
    for plan in AftercarePlan.objects.filter(episode_id__in=ids).order_by("pk"):
        yield "aftercare_plan", {
            "id": plan.pk, "episode_id": plan.episode_id, "next_provider": plan.next_provider,
            "first_appointment_at": plain(plan.first_appointment_at),
            "first_appointment_place": plan.first_appointment_place, "prescriber": plan.prescriber,
            "meetings": plan.meetings, "people": plan.people, "follow_up": plan.follow_up,
            "checkups": plan.checkups, "checkups_until": plain(plan.checkups_until),
            "checkups_stopped_at": plain(plan.checkups_stopped_at), "updated_at": plan.updated_at.isoformat()}
    for checkup in Checkup.objects.filter(participant=participant).order_by("due_on", "pk"):
        yield "checkup", {"id": checkup.pk, "episode_id": checkup.episode_id, "due_on": checkup.due_on.isoformat(),
                          "opens_at": checkup.opens_at.isoformat(), "closes_at": checkup.closes_at.isoformat(),
                          "items": checkup.items, "status": checkup.status,
                          "created_at": checkup.created_at.isoformat()}


# ---------------------------------------------------------------------------------------------
# A participant's own data


def access_log_rows(participant):
    return [{"at": e.at.isoformat(), "who": e.actor_name, "action": e.action, "what": e.resource}
            for e in audit.events_about(participant).order_by("at")]


def my_records(participant):
    """Yield (kind, row) for everything linked to the person: their entries (private notes
    included, they are theirs), reminders and deliveries, notification subscriptions (without
    keys), acknowledgements, the notices they accepted, and who viewed their records."""
    yield from export_records(participant=participant, include_private=True)
    for reminder in Reminder.objects.filter(participant=participant).order_by("pk"):
        yield "reminder", {"id": reminder.pk, "kind": reminder.kind, "local_time": plain(reminder.local_time),
                           "weekdays": reminder.weekdays, "on_date": plain(reminder.on_date),
                           "enabled": reminder.enabled, "next_due_at": plain(reminder.next_due_at)}
    for delivery in Delivery.objects.filter(reminder__participant=participant).order_by("pk"):
        yield "delivery", {"id": delivery.pk, "reminder_id": delivery.reminder_id, "due_at": delivery.due_at.isoformat(),
                           "status": delivery.status, "channel": delivery.channel,
                           "sent_at": plain(delivery.sent_at), "opened_at": plain(delivery.opened_at)}
    for subscription in PushSubscription.objects.filter(user=participant.user).order_by("pk"):
        yield "push_subscription", {"id": subscription.pk, "user_agent": subscription.user_agent,
                                    "created_at": subscription.created_at.isoformat()}
    for ack in FlagAcknowledgement.objects.filter(participant=participant).order_by("pk"):
        yield "flag_acknowledgement", {"id": ack.pk, "flag": ack.flag, "note": ack.note,
                                       "created_at": ack.created_at.isoformat()}
    for notice in NoticeAcknowledgement.objects.filter(user=participant.user).order_by("pk"):
        yield "notice_acknowledgement", {"id": notice.pk, "version": notice.version, "text": notice.text,
                                         "acknowledged_at": notice.acknowledged_at.isoformat()}
    for tombstone in Tombstone.objects.filter(participant=participant).order_by("deleted_at", "pk"):
        # What Steady keeps of an entry they deleted: its id, kind and when, so an old write of
        # it from another phone cannot bring it back. No content.
        yield "deleted_entry", {"id": str(tombstone.pk), "kind": tombstone.kind,
                                "deleted_at": tombstone.deleted_at.isoformat()}
    for index, row in enumerate(access_log_rows(participant), start=1):
        yield "access_log", {"id": index, **row}


def my_export_header(participant):
    return {
        "about": _("Everything Steady holds about you, including notes you kept to yourself, and who on your care "
                   "team viewed your records."),
        "participant": {"username": participant.user.get_username(), "program": participant.program.name,
                        "time_zone": participant.time_zone, "level_of_care": participant.level_of_care,
                        "joined": participant.created_at.isoformat()},
        "exported_at": timezone.now().isoformat(),
    }


def my_export_json(participant):
    data = my_export_header(participant)
    data["records"] = {}
    for kind, row in my_records(participant):
        data["records"].setdefault(kind, []).append(row)
    return data


def my_export_csv_rows(participant):
    header = my_export_header(participant)
    yield ["about", "", "", header["about"]]
    yield ["export", "", "exported_at", header["exported_at"]]
    for name, value in header["participant"].items():
        yield ["participant", "", name, value]
    yield ["record_type", "record_id", "field", "value"]
    for kind, row in my_records(participant):
        yield from csv_rows(kind, row)
