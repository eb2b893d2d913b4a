"""The API's tokens: issued at /api/v1/auth/token/ (recorded as a sign-in, asking for the second
factor's code too from whoever must pass one: jiufeng.twofactor), ended at /api/v1/auth/logout/
(the token used) and /api/v1/auth/logout-all/, and all of a user's ended when they sign out of
the website. django-rest-knox keeps only each token's hash, with its expiry (REST_KNOX).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audit.events import event_record
from audit.lockout import lockout_response
from audit.models import AuditEventKind

from .token_auth import TokenAuthentication
from .twofactor.policy import second_factor_required
from .twofactor.services import second_factor_check


class TokenRequestSerializer(AuthTokenSerializer):
    otp_token = serializers.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        required=False,
        write_only=True,
        help_text=gettext_lazy(
            "The six-digit code of the account's authenticator app, or a recovery code: needed when the "
            "account uses two-step verification."
        ),
    )


# A wrong pair is refused inside authenticate(), which tells the event log itself
# (user_login_failed); a right one is told here.
class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password, and a second factor's code where needed, for the user's API token.

    Each attempt is logged.
    """

    serializer_class = TokenRequestSerializer
    # An account or address locked out after too many wrong passwords (django-axes).
    schema_error_statuses = (429,)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes refused the pair inside authenticate(): the lockout, not "wrong password".
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        _second_factor(request, user, serializer.validated_data.get("otp_token", ""))
        # A new token each time; the user's expired ones go (a token is checked only when used).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user)
        # As django.contrib.auth.login does: the event log and last_login hear of it.
        user_logged_in.send(sender=type(user), request=request, user=user)
        # In the API's own time format (local time with its offset), as every other datetime it returns.
        return Response({"token": token, "expiry": serializers.DateTimeField().to_representation(instance.expiry)})


def _second_factor(request, user, code: str) -> None:
    """Refuse the token unless the account's second factor, if it has or needs one, accepts ``code``."""
    if user_has_device(user):
        if not code:
            raise ValidationError({"otp_token": [_("This account uses two-step verification: send its code.")]})
        if second_factor_check(user=user, token=code) is None:
            event_record(kind=AuditEventKind.SECOND_FACTOR_FAILED, request=request, user=user)
            raise ValidationError({"otp_token": [_("That code is not right.")]})
    elif second_factor_required(user):
        raise ValidationError(
            {"otp_token": [_("Set up two-step verification on the website before asking for an API token.")]}
        )


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(knox_views.LogoutView):
    """End the token this request carries."""

    authentication_classes = (TokenAuthentication,)


@extend_schema(request=None, responses={204: None})
class TokenLogoutAllView(knox_views.LogoutAllView):
    """End every token of this user."""

    authentication_classes = (TokenAuthentication,)


@receiver(user_logged_out, dispatch_uid="jiufeng-website-logout-ends-tokens")
def _website_logout_ends_tokens(sender, request, user, **kwargs) -> None:
    # Signing out of the website ends the user's API tokens too (a stolen token must not outlive
    # the session it was taken with); signing one API client out (a REST framework request,
    # knox's views above) ends only its own token, which knox has already deleted.
    if user is not None and not isinstance(request, Request):
        AuthToken.objects.filter(user=user).delete()
