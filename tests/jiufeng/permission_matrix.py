"""The permission matrix (tests/jiufeng/test_permission_matrix.py): for each route, by URL name,
what each role is answered (a GET; an empty POST on the rows marked POST).

"login" is a redirect to the login page, 302 any other redirect; 400 the empty input refused
(so the role got through); 401 no credentials (the API); 403 refused; 404 not in the user's
scope (never "exists but not yours"); 409 the action not allowed in the object's state (so the
role got through). Roles are demo accounts (seed_demo); auditors are refused every POST
(audit.middleware), petitioners' pages included.
"""

LOGIN = "login"

# role: demo username (None: not signed in).
PETITIONER = "petitioner"
ADMINISTRATOR = "admin"
ROLES = {
    "anonymous": None,
    PETITIONER: None,
    "officer": "officer",
    "officer-edu": "officer-edu",
    "officer-health": "officer-health",
    "school-staff": "officer-school",
    "leader": "leader",
    "leader-edu": "leader-edu",
    "auditor": "auditor",
    "evaluator": "supervisor",
    ADMINISTRATOR: "admin",
}

# One row per route, a cell per role in ROLES' order.
EXPECTED = {
    # anonymous, petitioner, officer, officer-edu, officer-health, school-staff,
    # leader, leader-edu, auditor, evaluator, admin
    "home": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "healthz": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "favicon.ico": (301, 301, 301, 301, 301, 301, 301, 301, 301, 301, 301),
    "set_language": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "text-size": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),  # POST
    "login": (200, 200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "logout": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),  # POST
    "twofactor-setup": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "twofactor-verify": ("login", "login", 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "twofactor-recovery-codes": ("login", "login", 403, 403, 403, 403, 403, 403, 403, 403, 403),  # POST
    "landing": ("login", "login", 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "admin:index": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 200),
    "inbox": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "inbox-read": ("login", "login", 302, 302, 302, 302, 302, 302, 302, 302, 302),  # POST
    "api:auth-token": (400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),  # POST
    "api:auth-logout": (401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    "api:auth-logout-all": (401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    "api:unit-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:unit-public-list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:unit-detail": (401, 401, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "api:deadline-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:leader-assignment-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:visit-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:visit-detail": (401, 401, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "api:rectification-item-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:rectification-item-submit": (401, 401, 400, 404, 404, 404, 400, 404, 403, 404, 400),  # POST
    "api:rectification-item-confirm": (401, 401, 409, 404, 404, 404, 409, 404, 403, 404, 409),  # POST
    "api:rectification-item-send-back": (401, 401, 400, 404, 404, 404, 400, 404, 403, 404, 400),  # POST
    "api:pledge-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:pledge-detail": (401, 401, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "api:pledge-sign": (401, 401, 403, 404, 404, 404, 403, 404, 403, 404, 403),  # POST
    "api:accountability-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:accountability-detail": (401, 401, 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "api:rectification-campaign-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:rectification-campaign-detail": (401, 401, 200, 200, 404, 200, 200, 200, 200, 404, 200),
    "api:escalation-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:unit-dashboard": (401, 401, 200, 404, 404, 404, 200, 404, 403, 403, 200),
    "api:complaint-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:complaint-intake": (401, 401, 400, 400, 400, 400, 403, 403, 403, 403, 400),  # POST
    "api:complaint-detail": (401, 401, 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "api:complaint-transition": (401, 401, 200, 403, 404, 404, 200, 403, 403, 404, 200),  # POST
    "api:complaint-activity-add": (401, 401, 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "api:complaint-activity-correct": (401, 401, 404, 404, 404, 404, 404, 404, 403, 404, 404),  # POST
    "api:complaint-activity-void": (401, 401, 404, 404, 404, 404, 404, 404, 403, 404, 404),  # POST
    "api:complaint-message-add": (401, 401, 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "api:complaint-note-add": (401, 401, 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "api:complaint-extension-add": (401, 401, 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "api:complaint-identity": (401, 401, 200, 403, 404, 404, 200, 403, 403, 404, 200),
    "api:complaint-history": (401, 401, 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "api:complaint-attachment": (401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "api:category-list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:track-by-header": (400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    "api:track-messages-by-header": (400, 400, 400, 400, 400, 400, 400, 400, 403, 400, 400),  # POST
    "api:track-rating-by-header": (400, 400, 400, 400, 400, 400, 400, 400, 403, 400, 400),  # POST
    "api:track-review-by-header": (400, 400, 400, 400, 400, 400, 400, 400, 403, 400, 400),  # POST
    "api:track": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:track-messages": (400, 400, 400, 400, 400, 400, 400, 400, 403, 400, 400),  # POST
    "api:track-rating": (409, 409, 409, 409, 409, 409, 409, 409, 403, 409, 409),  # POST
    "api:track-review": (409, 409, 409, 409, 409, 409, 409, 409, 403, 409, 409),  # POST
    "api:history-search": (401, 401, 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "api:appraisal-list": (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:appraisal-results": (404, 404, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "api:appraisal-answer": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "api:^(?P<path>.*/)$": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "open311:discovery": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:services": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:service": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:requests": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:request": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:token": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "open311:not-found": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "responsibility:unit-tree": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:unit-detail": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:unit-children": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:org-import": ("login", "login", 200, 200, 200, 200, 200, 200, 403, 403, 200),
    "responsibility:org-import-confirm": ("login", "login", 302, 302, 302, 302, 302, 302, 403, 403, 302),  # POST
    "responsibility:org-import-result": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "responsibility:org-import-template": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:unit-create": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:unit-rename": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:unit-move": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:unit-supervise": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:unit-deactivate": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:unit-reactivate": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:position-assign": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:position-end": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:leader-assignment-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:leader-assignment-create": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:leader-assignment-end": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:visit-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:visit-schedule": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:visit-add": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:visit-detail": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:visit-record": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:rectification-item-add": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:rectification-item-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:rectification-item-detail": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:rectification-item-submit": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:rectification-item-confirm": (
        "login",
        "login",
        302,
        404,
        404,
        404,
        302,
        404,
        403,
        404,
        302,
    ),  # POST
    "responsibility:rectification-item-send-back": (
        "login",
        "login",
        302,
        404,
        404,
        404,
        302,
        404,
        403,
        404,
        302,
    ),  # POST
    "responsibility:pledge-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:pledge-issue-from-template": (
        "login",
        "login",
        302,
        302,
        302,
        302,
        302,
        302,
        403,
        302,
        302,
    ),  # POST
    "responsibility:pledge-coverage": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:pledge-detail": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:pledge-item-add": ("login", "login", 400, 404, 404, 404, 400, 404, 403, 404, 400),  # POST
    "responsibility:pledge-item-edit": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "responsibility:pledge-item-remove": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:pledge-item-complete": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:pledge-issue": ("login", "login", 403, 404, 404, 404, 302, 404, 403, 404, 302),  # POST
    "responsibility:pledge-sign": ("login", "login", 403, 404, 404, 404, 403, 404, 403, 404, 403),  # POST
    "responsibility:pledge-amend": ("login", "login", 403, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:pledge-assess": ("login", "login", 403, 404, 404, 404, 200, 404, 403, 404, 200),
    "responsibility:accountability-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:accountability-detail": ("login", "login", 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "responsibility:accountability-propose": ("login", "login", 403, 404, 404, 404, 403, 404, 403, 404, 200),
    "responsibility:accountability-decide": ("login", "login", 403, 403, 404, 404, 400, 403, 403, 404, 400),  # POST
    "responsibility:accountability-dismiss": ("login", "login", 403, 403, 404, 404, 400, 403, 403, 404, 400),  # POST
    "responsibility:accountability-document-add": (
        "login",
        "login",
        400,
        403,
        404,
        404,
        400,
        403,
        403,
        404,
        400,
    ),  # POST
    "responsibility:accountability-document-download": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "responsibility:accountability-document-remove": (
        "login",
        "login",
        404,
        404,
        404,
        404,
        404,
        404,
        403,
        404,
        404,
    ),  # POST
    "responsibility:campaign-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:campaign-create": ("login", "login", 403, 403, 403, 403, 200, 200, 403, 403, 200),
    "responsibility:campaign-detail": ("login", "login", 200, 200, 404, 200, 200, 200, 200, 404, 200),
    "responsibility:campaign-start": ("login", "login", 403, 403, 404, 403, 409, 409, 403, 404, 409),  # POST
    "responsibility:campaign-close": ("login", "login", 403, 403, 404, 403, 302, 302, 403, 404, 302),  # POST
    "responsibility:campaign-task-add": ("login", "login", 400, 400, 404, 400, 400, 400, 403, 404, 400),  # POST
    "responsibility:campaign-task-complete": ("login", "login", 400, 400, 404, 400, 400, 400, 403, 404, 400),  # POST
    "responsibility:escalation-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "responsibility:escalation-detail": ("login", "login", 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "responsibility:escalation-acknowledge": ("login", "login", 403, 302, 404, 404, 403, 403, 403, 404, 403),  # POST
    "responsibility:unit-overdue": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "audit:home": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    # The transparency page and its API: no account, nothing identifying (complaints.public).
    "complaints:public": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:public-typical-case-list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:public-typical-case": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:public-stats": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Typical cases (典型案例): written by who handles the case, published by a leader above it;
    # never seen by the unit complained about.
    "complaints:case-typical-case": ("login", "login", 200, 403, 404, 404, 200, 403, 403, 404, 200),
    "complaints:typical-case-detail": ("login", "login", 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "complaints:typical-case-decide": ("login", "login", 403, 403, 404, 404, 409, 409, 403, 404, 409),  # POST
    # The monthly report of the county: its officers and leaders (and the administrator).
    "complaints:unit-report": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 403, 200),
    # A rectification item from a warning: the form for any staff; the service checks the unit.
    "responsibility:rectification-item-create": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # A big ledger's file (audit.export_jobs): only its owner's, and the demo has none.
    "audit:export-download": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "audit:log-purges": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:history-search": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:history-fields": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:object-timeline": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:log-transitions": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:log-identity-access": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:log-exports": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:log-logins": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "audit:log-refused-writes": ("login", "login", 403, 403, 403, 403, 403, 403, 200, 403, 200),
    "evaluations:appraisal-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 403, 200),
    "evaluations:appraisal-create": ("login", "login", 200, 200, 200, 200, 200, 200, 403, 403, 200),
    "evaluations:appraisal-detail": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 403, 200),
    "evaluations:appraisal-update": ("login", "login", 302, 404, 404, 404, 302, 404, 403, 403, 302),
    "evaluations:appraisal-units-add": ("login", "login", 400, 404, 404, 404, 400, 404, 403, 403, 400),  # POST
    "evaluations:appraisal-unit-remove": ("login", "login", 409, 404, 404, 404, 409, 404, 403, 403, 409),  # POST
    "evaluations:appraisal-transition": ("login", "login", 409, 404, 404, 404, 409, 404, 403, 403, 409),  # POST
    "evaluations:questionnaire-list": ("login", "login", 200, 200, 200, 200, 403, 403, 403, 403, 200),
    "evaluations:questionnaire-create": ("login", "login", 200, 200, 200, 200, 403, 403, 403, 403, 200),
    "evaluations:questionnaire-detail": ("login", "login", 200, 200, 200, 200, 403, 403, 403, 403, 200),
    "evaluations:questionnaire-copy": ("login", "login", 302, 302, 302, 302, 403, 403, 403, 403, 302),  # POST
    "evaluations:evaluator-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 403, 200),
    "evaluations:evaluator-appoint": ("login", "login", 200, 200, 200, 200, 200, 200, 403, 403, 200),
    "evaluations:evaluator-update": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 403, 200),
    "evaluations:evaluator-term-end": ("login", "login", 400, 404, 404, 404, 400, 404, 403, 403, 400),  # POST
    "evaluations:appraisal-results": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "evaluations:appraisal-unit-report": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "evaluations:appraisal-results-xlsx": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "evaluations:appraisal-public-list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "evaluations:appraisal-public": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "evaluations:appraisal-code": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "evaluations:appraisal-thanks": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "evaluations:appraisal-answer": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "evaluations:invitation-list": ("login", "login", 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "evaluations:invitation-slips": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 404, 200),
    "evaluations:evaluator-home": ("login", "login", 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "evaluations:observation-create": ("login", "login", 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "evaluations:observation-open": ("login", "login", 403, 403, 403, 403, 403, 403, 403, 302, 404),  # POST
    "api-schema": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-docs": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:complaint-file": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:complaint-receipt": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:complaint-receipt-download": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:complaint-track": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:phone-login": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:phone-cases": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:phone-case-open": (302, 302, 302, 302, 302, 302, 302, 302, 403, 302, 302),  # POST
    "complaints:phone-logout": (302, 302, 302, 302, 302, 302, 302, 302, 403, 302, 302),  # POST
    "complaints:complaint-track-detail": (302, 200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:complaint-track-message": (302, 400, 302, 302, 302, 302, 302, 302, 403, 302, 302),  # POST
    "complaints:complaint-track-rating": (302, 400, 302, 302, 302, 302, 302, 302, 403, 302, 302),  # POST
    "complaints:complaint-track-review": (302, 400, 302, 302, 302, 302, 302, 302, 403, 302, 302),  # POST
    "complaints:complaint-track-letter": (302, 404, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:complaint-track-attachment": (302, 404, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "complaints:dashboard": ("login", "login", 302, 302, 302, 302, 302, 302, 403, 403, 302),
    "complaints:unit-dashboard": ("login", "login", 200, 404, 404, 404, 200, 404, 403, 403, 200),
    "complaints:case-list": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:case-approvals": ("login", "login", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "complaints:case-create": ("login", "login", 200, 200, 200, 200, 403, 403, 403, 403, 200),
    "complaints:case-detail": ("login", "login", 200, 200, 404, 404, 200, 200, 200, 404, 200),
    "complaints:case-transition": ("login", "login", 400, 403, 404, 404, 400, 403, 403, 404, 400),  # POST
    "complaints:case-activity-add": ("login", "login", 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "complaints:case-activity-edit": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "complaints:case-activity-correct": ("login", "login", 404, 404, 404, 404, 404, 404, 403, 404, 404),  # POST
    "complaints:case-activity-void": ("login", "login", 404, 404, 404, 404, 404, 404, 403, 404, 404),  # POST
    "complaints:case-message-add": ("login", "login", 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "complaints:case-note-add": ("login", "login", 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "complaints:case-extension-request": ("login", "login", 400, 400, 404, 404, 400, 400, 403, 404, 400),  # POST
    "complaints:case-identity": ("login", "login", 200, 403, 404, 404, 200, 403, 403, 404, 200),  # POST
    "complaints:case-attachment": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "complaints:case-reply-letter": ("login", "login", 404, 404, 404, 404, 404, 404, 404, 404, 404),
}
