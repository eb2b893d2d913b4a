"""The demo data of `make run` and seed_demo, kept apart from the apps' code.

It sits on top of every app (evaluations -> complaints -> responsibility -> jiufeng) and
builds its data through their services, as users would; no app imports it. One module per
part, seeded in dependency order by ``python manage.py seed_demo``:

    accounts      the demo accounts of API.md (jiufeng)
    county        the organisation tree and the accounts' posts, then the responsibility
                  system's parts: visits, imports (posts for every unit), pledges,
                  accountability and campaigns, escalation (deadlines and their sweeps)
    categories    complaint categories and routing rules, then cases (the demo complaints)
                  and recurring (a spike, a fix that held and one that came back: 举一反三)
"""
