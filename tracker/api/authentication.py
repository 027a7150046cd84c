"""API tokens, for participants' own apps only (kept apart from the API's views so that DRF's
settings can import it without importing DRF's views)."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from ..security import needs_second_factor


class ParticipantTokenAuthentication(TokenAuthentication):
    """An account that needs a second factor (staff, or a participant who turned it on) cannot
    use a token: a token would skip the second step."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if needs_second_factor(user):
            raise AuthenticationFailed("This account signs in on the web with its second factor; tokens are not accepted.")
        return user, token
