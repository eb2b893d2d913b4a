"""The processes a fault test runs and breaks: the app (gunicorn), a worker, a private PostgreSQL.

Each is a subprocess with its own environment, as in production; the shared PostgreSQL and
Redis are never stopped. A private redis-server comes from PrivateRedis (the escalation
restart test's).
"""

import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.responsibility.test_escalation_redis_restart import free_port
from tests.responsibility.test_escalation_worker import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def procfile_command(name: str) -> list[str]:
    """A process line of Procfile.dev (what `make run` starts), with the virtualenv's programs."""
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return [str(BIN / word) if (BIN / word).exists() else word for word in shlex.split(line.partition(":")[2])]
    raise LookupError(name)


def database_url(name: str | None = None, *, host=None, port=None) -> str:
    """A URL for the test database (or ``name`` on the same server, or on ``host``/``port``)."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER'] or 'postgres'}@{host or db['HOST']}:{port or db['PORT']}/{name or db['NAME']}"


def app_env(*, redis_url: str, database: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """A production-shaped environment (DEBUG off) for the app and its worker under test."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        # The identities' keys of this test process (complaints.identity), so both read the same rows.
        JIUFENG_IDENTITY_KEYS=",".join(settings.JIUFENG_IDENTITY_KEYS),
        JIUFENG_IDENTITY_INDEX_KEY=settings.JIUFENG_IDENTITY_INDEX_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database,
        REDIS_URL=redis_url,
        JIUFENG_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        # One test client files them all: a petitioner's own limits are other tests' business.
        JIUFENG_FILINGS_PER_IP="1000000/h",
        # The SMS gateway is a file, one line a message (jiufeng.sms.ConsoleSmsBackend).
        JIUFENG_SMS_LOG_FILE=str(var_dir / "sms.log"),
        JIUFENG_NOTIFICATION_CHANNELS="sms",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    (var_dir / "media").mkdir(parents=True, exist_ok=True)
    return env


class Process:
    """A subprocess in its own process group, its output in a log file."""

    def __init__(self, command: list[str], *, env: dict[str, str], log: Path):
        self.command, self.env, self.log = command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - the project's own commands
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        """Stop the whole group: a process whose leader has died may still hold children."""
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(10)
        time.sleep(1)
        self.signal(signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class App(Process):
    """gunicorn serving the project on a free port."""

    def __init__(self, *, env: dict[str, str], log: Path, workers: int = 2, threads: int = 4):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [str(BIN / "gunicorn"), "jiufeng.wsgi", "-c", "deploy/gunicorn.conf.py"]
            + ["-b", f"127.0.0.1:{self.port}", "-w", str(workers), "--threads", str(threads), "--timeout", "60"],
            env=env,
            log=log,
        )

    def start(self) -> None:
        super().start()
        assert wait_until(lambda: self.get("/healthz")[0] in (200, 503), 60), self.output()[-3000:]

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, bytes]:
        """(status, content type, body); status 0 when no answer came at all."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, "", b""

    def get(self, path: str) -> tuple[int, str, bytes]:
        return self.request("GET", path)


def worker(*, env: dict[str, str], log: Path, supervised: bool = False) -> Process:
    """The worker as `make run` starts it: Procfile.dev's line (through its supervisor, or not)."""
    command = procfile_command("worker")
    if not supervised:
        command = command[command.index("scripts/supervise.sh") + 1 :]
    return Process(command, env=env, log=log)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port, in a temporary directory, stopped and started at will.

    initdb refuses to run as root: then the cluster belongs to the ``postgres`` system user
    (runuser), as Debian's own clusters do.
    """

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="jiufeng-pg-"))
        self.data = self.dir / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    def _run(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs
            [*self.as_user, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def pg_ctl(self, action: str, *options: str) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            "-w",
            *options,
            action,
        )

    def url(self, name: str) -> str:
        return database_url(name, host="127.0.0.1", port=self.port)

    def createdb(self, name: str) -> None:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
