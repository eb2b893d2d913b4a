"""Staff's second factor (两步验证): TOTP from an authenticator app, with one-time recovery codes.

django-otp keeps the devices and verifies tokens (throttled on its own: each failure doubles
the wait before the next try). What is ours: who must use it (policy), sending a signed-in
user who has not yet passed it to set it up or to verify (middleware), the pages, and the
token endpoint asking for a code too (jiufeng.auth_token).
"""
