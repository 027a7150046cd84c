"""The recovery passport page (tracker.passport): the person's own record to print or save as a
PDF and take to their next provider."""

from django.shortcuts import render

from .. import passport as passports
from .decorators import participant_required


@participant_required
def passport(request):
    return render(request, "tracker/passport.html", {"passport": passports.passport(participant=request.participant)})
