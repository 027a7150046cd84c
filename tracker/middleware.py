from django.utils import timezone

from .access import participant_for_user


class ParticipantTimezoneMiddleware:
    """Show and read a participant's pages in their own zone; everything is stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        participant = participant_for_user(request.user)
        if participant is not None:
            timezone.activate(participant.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
