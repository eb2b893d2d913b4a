"""How the OpenAPI schema describes our token authentication (drf-spectacular knows knox's, not
a subclass of it): the same header, under the scheme name the schema has always used."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class TokenScheme(KnoxTokenScheme):
    target_class = "jiufeng.token_auth.TokenAuthentication"
    name = "tokenAuth"
