"""How the API reads a token (REST framework's authentication class): knox's, hardened.

Apart from jiufeng.auth_token's views, as REST framework imports authentication classes while
its own views module is still loading.
"""

from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's, refusing a header whose token is not UTF-8 as any wrong token (knox answers a 500)."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)
