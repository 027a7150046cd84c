"""The program admins' page of urgent notices (tracker.urgent): who needed a look in the last
week, who was told, and whether someone on their care team acknowledged it. An admin is told
by email when nobody did in time, and that email links here.

It names the person and their care team, never what the notice was about: the flag and its
details stay with the care team (tracker.access). Reading it is audited with the people shown.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import access, audit, urgent
from ..models import AuditEvent
from .decorators import signed_in


@signed_in
def urgent_alerts(request):
    admin = access.program_admin(request, resource="urgent-alerts")
    alerts = urgent.open_alerts(admin.program)
    for alert in alerts:
        alert.team = list(alert.participant.care_team.all())
        alert.on_my_team = any(counselor.pk == admin.pk for counselor in alert.team)
        alert.reached = len([who for who in alert.sent_to if not who.startswith("admin-")])
    response = render(request, "tracker/care/urgent.html", {
        "alerts": alerts, "days": urgent.LOOKBACK.days, "program": admin.program,
        "waiting": sum(1 for alert in alerts if alert.acknowledgement is None),
        "title": _("Urgent notices")})
    audit.record(request, action=AuditEvent.Action.READ, resource="urgent-alerts",
                 shown=sorted({alert.participant_id for alert in alerts}))
    return response
