"""API tokens, for participants' own apps only (kept apart from the API's views so that DRF's
settings can import it without importing DRF's views), and how the schema documents them."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from ..accounts import language_of
from ..security import TOKEN_KEYWORDS, needs_second_factor, request_person


class ParticipantTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` (what generated clients and most tools send) or
    `Authorization: Token <token>` (DRF's own word). An account that needs a second factor
    (staff, or a participant who turned it on) cannot use a token: a token would skip the
    second step."""

    keywords = tuple(word.encode() for word in TOKEN_KEYWORDS)

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None
        if len(words) != 2:
            raise AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            key = words[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(_("That token is not valid."))
        return self.authenticate_credentials(key)

    def authenticate_header(self, request):
        return "Bearer"

    def authenticate_credentials(self, key):
        # One query for the token, its user, their participant or counselor row, language and
        # second factor (security.RequestPerson), where DRF's own check and ours made six.
        user = request_person.by_token(key)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))  # DRF's words, and their translations
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if needs_second_factor(user):
            raise AuthenticationFailed(_("This account signs in on the web with its second factor; tokens are not accepted."))
        # The answer (and its error messages) in the person's own language, not the client's header.
        translation.activate(language_of(user))
        return user, Token(key=key, user=user)  # request.auth, as DRF gives it (its `created` unread)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documented as an HTTP bearer scheme, so generated clients send the header that works."""

    target_class = ParticipantTokenAuthentication
    name = "bearerAuth"
    priority = 1  # before drf-spectacular's own scheme for TokenAuthentication and its subclasses

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API token from POST /api/v1/auth/token/, sent as `Authorization: Bearer <token>`."}
