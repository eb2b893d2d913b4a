"""The API's token endpoint (/api/v1/auth/token/): REST framework's, recorded as a sign-in."""

from django.contrib.auth.signals import user_logged_in
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from audit.lockout import lockout_response


# A wrong pair is refused inside authenticate(), which tells the event log itself
# (user_login_failed); a right one is told here.
class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token; each attempt is logged."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes refused the pair inside authenticate(): the lockout, not "wrong password".
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # As django.contrib.auth.login does: the event log and last_login hear of it.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token.key})
