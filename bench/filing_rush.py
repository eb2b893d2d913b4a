"""A rush of filings against a production-like server: gunicorn, 2 workers, DEBUG off, PostgreSQL.

Steps:
1. Migrate the bench database; make sure it has categories and a county to complain
   about (bench/complaint_data.py's county; any cases already there stay).
2. Start gunicorn (2 sync workers) with DEBUG off, a bench SECRET_KEY, ALLOWED_HOSTS and
   BEHIND_TLS_PROXY (requests carry X-Forwarded-Proto: https, as from the proxy); wait
   until /healthz answers.
3. For --seconds, --clients threads each POST /api/v1/complaints/ in a loop over one
   keep-alive connection (a closed one is reopened); print filings per second,
   p50/p95/p99 latency and the errors by status.
   With --web, each filing is a new browser on the filing page instead: GET /file/, POST
   the form (302), GET the receipt with the code; each step's latency is printed.
4. GET /api/v1/track/{code}/ for the codes just received, with the same clients and
   then with one client per worker (what a petitioner sees when nothing queues), and
   print p50/p95 of each; then the same codes through the tracking pages, each by a new
   visitor (the code form, the code POSTed, the case page); then stop gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/filing_rush.py --clients 16 --seconds 20
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")
# This process only prepares the database; the server below runs with DEBUG off.
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from complaint_data import TEXTS, county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from complaints.models import Category  # noqa: E402
from responsibility.models import Unit  # noqa: E402

HOST = "127.0.0.1"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "X-Forwarded-Proto": "https"}


def server_start(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k7Qz9xW2mP4vR8tY1uE6oI3aS5dF0gH" * 2,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "BEHIND_TLS_PROXY": "true",
        # This script stands for the proxy: its X-Forwarded-For names each petitioner.
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "LOG_LEVEL": "WARNING",
    }
    # The tracking pages need the static files' manifest, as in production.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "jiufeng.wsgi:application", "--workers", str(workers), "--threads", str(threads)]
        + ["--bind", f"{HOST}:{port}"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            connection_ = http.client.HTTPConnection(HOST, port, timeout=5)
            connection_.request("GET", "/healthz", headers=HEADERS)
            if connection_.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_split(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers, PostgreSQL, Redis and this client.

    Where a filing's cost goes on the shared cores: at N filings/s, C cores give C / N
    seconds of CPU per filing to all of them together. Reaped PostgreSQL backends count
    in the postmaster's children's time. Run on a quiet machine: other work in PostgreSQL counts too.
    """

    def pids(*pgrep_args: str) -> list[int]:
        found = subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    split = {
        "gunicorn workers": sum(map(_cpu_seconds, pids("-P", str(server.pid)))),
        "PostgreSQL": sum(map(_cpu_seconds, pids("-u", "postgres"))),
        "Redis": sum(map(_cpu_seconds, pids("-x", "redis-server"))),
        "bench client": time.process_time(),
    }
    # The whole machine's busy and idle time: what other processes took, and what no one used
    # (idle while requests wait: the rate is then bound by latency, not by the cores).
    busy, idle = _machine_seconds()
    return split | {"other processes": busy - sum(split.values()), "idle": idle}


def _machine_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of all cores since boot, from /proc/stat (iowait counts as idle)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Client:
    """One keep-alive connection, reopened when the server closes it.

    Writes each request as bytes and reads the response by its Content-Length: the client
    shares the two cores with the server, and http.client's header parsing (the email
    package) cost it ~0.5 ms of CPU per request.
    """

    def __init__(self, port: int):
        self.port = port
        self.socket = None
        self.buffer = b""
        # The cookies the server set (a browser's session and CSRF token), sent back with every request.
        self.cookies: dict[str, str] = {}
        self.location = ""

    def send(
        self, method: str, path: str, body: bytes | None = None, address: str = "", form: bool = False
    ) -> tuple[int, bytes]:
        # ``address``: the petitioner's, as the proxy in front would append it. ``form``: the body
        # is a browser's form, sent from this server's own page (the CSRF check reads the origin).
        headers = HEADERS | ({"X-Forwarded-For": address} if address else {})
        if form:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "text/html",
                "Origin": f"https://{HOST}:{self.port}",
            }
        if self.cookies:
            headers |= {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = body or b""
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for attempt in (1, 2):
            if self.socket is None:
                self.socket = socket.create_connection((HOST, self.port), timeout=30)
                self.buffer = b""
            try:
                self.socket.sendall(request)
                return self._response()
            except (http.client.HTTPException, OSError):
                self.socket.close()
                self.socket = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read_until(self, size: int) -> None:
        while len(self.buffer) < size:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise http.client.RemoteDisconnected("connection closed")
            self.buffer += chunk

    def _response(self) -> tuple[int, bytes]:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._read_until(len(self.buffer) + 1)
        head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4 :]
        lines = head.split("\r\n")
        fields = [(name.lower(), value.strip()) for name, value in (line.split(":", 1) for line in lines[1:])]
        length = int(next((value for name, value in fields if name == "content-length"), "0"))
        self._read_until(length)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        for name, value in fields:
            if name == "set-cookie":
                cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                self.cookies[cookie_name] = cookie_value
            elif name == "location":
                self.location = value
        if ("connection", "close") in [(name, value.lower()) for name, value in fields]:
            self.socket.close()
            self.socket = None
        return int(lines[0].split()[1]), body


def filing(rng: random.Random, categories: dict[str, int], units: list[int]) -> dict:
    code, title, content, _disposition, _reply = rng.choice(TEXTS)
    anonymous = rng.random() < 0.3
    body = {
        "category": categories[code],
        "subject_unit": rng.choice(units),
        "title": title,
        "content": content,
        "anonymous": anonymous,
    }
    if not anonymous:
        body |= {"name": "刘桂兰", "phone": f"138{rng.randrange(10**8):08d}"}
    return body


class Steps:
    """Each step's latencies (ms) and statuses ("filing 201"), over one client's requests."""

    def __init__(self, client: Client):
        self.client = client
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()

    def send(
        self, name: str, method: str, path: str, body: bytes | None = None, address: str = ""
    ) -> tuple[int, bytes]:
        # A POST other than the API's is a browser's form.
        form = method == "POST" and not path.startswith("/api/")
        start = time.perf_counter()
        status, content = self.client.send(method, path, body, address, form=form)
        self.latencies[name].append((time.perf_counter() - start) * 1000)
        self.statuses[f"{name} {status}"] += 1
        return status, content

    def add_to(self, latencies: dict[str, list[float]], statuses: Counter) -> None:
        for name, values in self.latencies.items():
            latencies.setdefault(name, []).extend(values)
        statuses.update(self.statuses)


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def in_threads(work, shares: list) -> None:
    """``work(share)`` for each share, each in its own thread; returns when all are done."""
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def api_filing(steps: Steps, body: dict, address: str) -> str | None:
    """POST /api/v1/complaints/: the tracking code, or None."""
    status, content = steps.send(
        "filing", "POST", "/api/v1/complaints/", json.dumps(body, ensure_ascii=False).encode(), address
    )
    return json.loads(content)["tracking_code"] if status == 201 else None


def web_filing(steps: Steps, body: dict, address: str) -> str | None:
    """A new browser on the filing page: the form, the filing (302), the receipt with the code."""
    steps.client.cookies = {}
    _status, page = steps.send("form", "GET", "/file/", address=address)
    fields = {
        "csrfmiddlewaretoken": csrf_token(page),
        **{name: body[name] for name in ("category", "subject_unit", "title", "content")},
        "identity": "anonymous" if body["anonymous"] else "real_name",
        "name": body.get("name", ""),
        "phone": body.get("phone", ""),
        # The bench's few texts would each be "like a recent complaint" and come back asking:
        # a rush of new matters is filed at once (the screen still runs, in the service).
        "file_anyway": "on",
    }
    if steps.send("filing", "POST", "/file/", urlencode(fields).encode(), address)[0] != 302:
        return None
    _status, receipt = steps.send("receipt", "GET", urlsplit(steps.client.location).path, address=address)
    code = re.search(rb'data-code="([^"]+)"', receipt)
    return code.group(1).decode() if code else None


def rush(port: int, clients: int, seconds: float, file_once, categories: dict[str, int], units: list[int]):
    """Filings by ``file_once`` from ``clients`` threads until the time is up.

    Returns each step's latencies (ms), the steps' statuses and the tracking codes received.
    """
    latencies: dict[str, list[float]] = {}
    statuses: Counter = Counter()
    codes: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def work(seed: int) -> None:
        rng, steps, mine = random.Random(seed), Steps(Client(port)), []
        while time.monotonic() < stop_at:
            # A rush is many petitioners, each filing once or twice: each from their own
            # address, so the per-address filing limit (JIUFENG_FILINGS_PER_IP) stays out of it.
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            try:
                code = file_once(steps, filing(rng, categories, units), address)
            except (http.client.HTTPException, OSError) as error:
                steps.statuses[type(error).__name__] += 1
                continue
            if code:
                mine.append(code)
        with lock:
            steps.add_to(latencies, statuses)
            codes.extend(mine)

    in_threads(work, list(range(clients)))
    return latencies, statuses, codes


def for_each_code(port: int, clients: int, codes: list[str], visit) -> tuple[dict[str, list[float]], Counter]:
    """``visit(steps, code)`` for each code, shared among ``clients`` threads: each step's latencies and statuses."""
    latencies: dict[str, list[float]] = {}
    statuses: Counter = Counter()
    lock = threading.Lock()

    def work(share: list[str]) -> None:
        steps = Steps(Client(port))
        for code in share:
            visit(steps, code)
        with lock:
            steps.add_to(latencies, statuses)

    in_threads(work, [codes[i::clients] for i in range(clients)])
    return latencies, statuses


def api_lookup(steps: Steps, code: str) -> None:
    steps.send("lookup", "GET", f"/api/v1/track/{code}/")


def page_lookup(steps: Steps, code: str) -> None:
    """The petitioner's pages, as a petitioner meets them: the code form, the code typed in,
    the case page it leads to.

    A new visitor (no cookies: a new browser) over the client's connection: GET /track/ (the
    CSRF cookie and token), POST the code (302 to the case, the session proving it), GET the
    case page.
    """
    steps.client.cookies = {}
    _status, page = steps.send("form", "GET", "/track/")
    typed = urlencode({"csrfmiddlewaretoken": csrf_token(page), "code": code}).encode()
    if steps.send("code", "POST", "/track/", typed)[0] == 302:
        steps.send("page", "GET", urlsplit(steps.client.location).path)


def percentiles(latencies: list[float]) -> str:
    if len(latencies) < 2:
        return "too few requests for percentiles"
    cuts = statistics.quantiles(latencies, n=100)
    return f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, p99 {cuts[98]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread above 1)")
    parser.add_argument("--web", action="store_true", help="file through the filing page as browsers do, not the API")
    parser.add_argument("--lookups", type=int, default=2000, help="tracking lookups after the rush")
    parser.add_argument(
        "--lookup-clients",
        type=int,
        help="clients looking codes up (default: --clients, then one per worker: the latency a petitioner "
        "sees when the server is not queueing)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    county_build(1000)
    categories = dict(Category.objects.values_list("code", "pk"))
    units = list(Unit.objects.filter(depth__gt=1, is_active=True).values_list("pk", flat=True))
    connection.close()

    port = free_port()
    server = server_start(port, args.workers, args.threads)
    try:
        filer = web_filing if args.web else api_filing
        started, cpu_before = time.perf_counter(), cpu_split(server)
        latencies, statuses, codes = rush(port, args.clients, args.seconds, filer, categories, units)
        elapsed = time.perf_counter() - started
        cpu_used = {name: seconds - cpu_before[name] for name, seconds in cpu_split(server).items()}
        expected = {"form 200", "filing 302", "receipt 200"} if args.web else {"filing 201"}
        errors = {status: n for status, n in statuses.items() if status not in expected}
        server_shape = f"{args.workers} gunicorn workers × {args.threads} threads"
        channel = "the filing page (form, filing, receipt)" if args.web else "POST /api/v1/complaints/"
        print(f"filings through {channel}: {args.clients} clients, {server_shape}, {elapsed:.1f} s")
        print(f"  {len(codes):,} filed, {len(codes) / elapsed:.1f} filings/s")
        for name, values in latencies.items():
            print(f"  {name}: {percentiles(values)}")
        print(f"  errors: {errors or 'none'}")
        if codes:
            split = ", ".join(f"{name} {seconds / len(codes) * 1000:.1f}" for name, seconds in cpu_used.items())
            # What the cores could give each filing at this rate, idle time included.
            available = os.cpu_count() * elapsed / len(codes) * 1000
            print(
                f"  CPU ms per filing: {split}; {os.cpu_count()} cores give {available:.1f} ms per filing at this rate"
            )
        sample = codes[: args.lookups]
        for clients in [args.lookup_clients] if args.lookup_clients else [args.clients, args.workers]:
            if not sample:
                break
            latencies, statuses = for_each_code(port, clients, sample, api_lookup)
            print(
                f"tracking lookups: {len(sample):,} by {clients} clients, statuses {dict(statuses)}; "
                f"{percentiles(latencies['lookup'])}"
            )
            latencies, statuses = for_each_code(port, clients, sample, page_lookup)
            print(f"tracking pages: {len(sample):,} visitors by {clients} clients, statuses {dict(statuses)}")
            print(f"  the code form (GET /track/): {percentiles(latencies['form'])}")
            print(f"  the code typed in (POST /track/): {percentiles(latencies['code'])}")
            print(f"  the case page (GET /track/<id>/): {percentiles(latencies['page'])}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
