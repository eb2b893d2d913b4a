"""The petitioner's API (API.md): categories, filing, and following a case by its tracking code.

Anyone may call it, without an account; every request is answered in the language its
Accept-Language names (jiufeng.middleware). Views are thin: they parse the request, call
one complaints service and map its errors: ValidationError -> 400 {field: [messages]},
TransitionNotAllowed -> 409, too many failed code lookups -> 429.
"""
