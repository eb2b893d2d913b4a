"""The petitioner's API (API.md): categories, and following a case by its tracking code.

Filing (POST /api/v1/complaints/) shares its path with the staff list, in complaints.api.
Anyone may call these, without an account; every request is answered in the language its
Accept-Language names (jiufeng.middleware). Views are thin: they parse the request, call
one complaints service and answer its refusals through complaints.api.errors.
"""
