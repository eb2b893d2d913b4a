"""Settings are read from the environment; production refuses to start unsafely.

Each case starts a fresh interpreter, because settings are read once at start-up.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "jiufeng.example.gov.cn",
    "DATABASE_URL": "postgres://jiufeng@db.internal:5432/jiufeng",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "JIUFENG_IDENTITY_KEYS": "rVlbH1DrdW1d8gz4NDIhw1mrMuj0cBS8Qoxh3PF0HR8=",
    "JIUFENG_IDENTITY_INDEX_KEY": secrets.token_urlsafe(32),
}

# Each case sets these itself: the shell running the tests may have them set (DATABASE_POOLER
# when the suite runs through PgBouncer).
NOT_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_POOLER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "BEHIND_TLS_PROXY",
    "TRUSTED_PROXIES",
    "JIUFENG_IDENTITY_KEYS",
    "JIUFENG_IDENTITY_INDEX_KEY",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_refuses_to_start():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("weak", ["short", "dev-only-insecure-key-never-use-in-production", "a" * 60])
def test_production_with_a_weak_secret_key_refuses_to_start(weak):
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": weak})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    env = {**PRODUCTION}
    del env["ALLOWED_HOSTS"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_misspelt_boolean_stops_start_up_with_its_name():
    result = run_manage("check", **{**PRODUCTION, "DEBUG": "ture"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_behind_a_proxy_the_checklist_asks_which_proxies_to_trust():
    behind = {**PRODUCTION, "BEHIND_TLS_PROXY": "true"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **behind)
    assert result.returncode != 0
    assert "jiufeng.W001" in result.stderr and "TRUSTED_PROXIES" in result.stderr
    trusted = run_manage("check", "--deploy", "--fail-level", "WARNING", **behind, TRUSTED_PROXIES="172.28.0.0/24")
    assert trusted.returncode == 0, trusted.stderr


def test_a_trusted_proxy_that_is_no_address_stops_start_up_with_its_name():
    result = run_manage("check", **{**PRODUCTION, "TRUSTED_PROXIES": "nginx"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES must list addresses or networks" in result.stderr


def test_production_reads_database_and_broker_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'],"
        " s.CELERY_BROKER_URL, s.DEBUG)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "600",
        "True",
        "redis://redis.internal:6379/0",
        "False",
    ]


DATABASE_SETTINGS = (
    "from django.conf import settings as s;"
    "d = s.DATABASES['default'];"
    "print(d['HOST'], d['CONN_MAX_AGE'], d.get('DISABLE_SERVER_SIDE_CURSORS', False),"
    " repr(d['OPTIONS'].get('options', '')).replace(' ', '_'))"
)


def test_production_talks_to_postgresql_directly_by_default():
    result = run_manage("shell", "--no-imports", "-c", DATABASE_SETTINGS, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    host, conn_max_age, no_server_side_cursors, options = result.stdout.split()
    assert [host, conn_max_age, no_server_side_cursors] == ["db.internal", "600", "False"]
    assert "-c_jit=off" in options


def test_behind_pgbouncer_connections_persist_without_server_side_cursors_or_startup_options():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://jiufeng@pgbouncer:5432/jiufeng", "DATABASE_POOLER": "PgBouncer "}
    result = run_manage("shell", "--no-imports", "-c", DATABASE_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    # PgBouncer refuses the "options" startup parameter; jit=off is the database's own default.
    assert result.stdout.split() == ["pgbouncer", "600", "True", "''"]


@pytest.mark.parametrize("blank", ["", "none"])
def test_no_pooler_named_is_the_default(blank):
    result = run_manage("shell", "--no-imports", "-c", DATABASE_SETTINGS, **{**PRODUCTION, "DATABASE_POOLER": blank})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "False"


def test_an_unknown_pooler_stops_start_up_with_its_name():
    result = run_manage("check", **{**PRODUCTION, "DATABASE_POOLER": "pgbouncr"})
    assert result.returncode != 0
    assert "DATABASE_POOLER must be one of none, pgbouncer, not 'pgbouncr'" in result.stderr


def test_a_pooler_needs_a_postgresql_database_url():
    result = run_manage("check", DATABASE_POOLER="pgbouncer", REDIS_URL="")
    assert result.returncode != 0
    assert "DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL" in result.stderr


def test_development_needs_nothing_set_and_uses_sqlite_and_the_filesystem_broker():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    result = run_manage("shell", "--no-imports", "-c", code + "; print(s.DEBUG)", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "True"]


def test_the_filesystem_broker_keeps_its_files_under_var_whatever_the_working_directory(tmp_path):
    # kombu's control folder defaults to ./control: a worker started from the checkout
    # once left its exchange tables there, to be committed by mistake.
    var, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "from jiufeng.tasks import record_heartbeat_task; record_heartbeat_task.delay()"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        cwd=elsewhere,
        env={**env, "DEBUG": "true", "REDIS_URL": "", "JIUFENG_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (var / "broker" / "control" / "celery.exchange").is_file()
    assert [path.suffix for path in (var / "broker").glob("*.msg")] == [".msg"]


def test_time_is_kept_in_china_standard_time_and_stored_aware():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
