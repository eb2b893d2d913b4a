"""The case ledger (台帐) as files of --rows rows: time and peak memory of one export.

Steps:
1. Migrate the bench database and fill it to --cases cases (bench/complaint_data.py's
   generator and county; nothing to do when already there).
2. As the county officer (the whole county in scope), the case list's "all" tab with a
   date range that selects about --rows cases:
   - CSV streamed by the page (audit.exports: keys first, then chunks of 1,000 rows);
   - XLSX written by the worker's function (audit.export_jobs.export_job_run), as a ledger past
     the page's 50,000 rows is;
   each in a fresh child process (spawned, not forked: a forked child starts with the parent's
   heap, grown by filling the database, and reuses it), as a web or worker process would run
   it: rows written, seconds, bytes, the child's peak RSS (the whole process, what the issue's
   bound is about) and its growth over the child's RSS once Django was set up.

    createdb -h 127.0.0.1 -U postgres jf_ledger_bench
    DEBUG=false SECRET_KEY=bench-... ALLOWED_HOSTS=testserver,localhost JIUFENG_TWO_FACTOR_REQUIRED=false \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jf_ledger_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/ledger_export.py --cases 100000 --rows 100000
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

from audit import export_jobs  # noqa: E402
from audit.models import ExportJob  # noqa: E402
from complaints.models import Complaint  # noqa: E402


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_csv(officer_pk: int, query: dict, out) -> None:
    connections.close_all()
    start_rss = rss_mb()
    client = Client(HTTP_HOST="localhost")
    client.force_login(_user(officer_pk))
    started = time.perf_counter()
    response = client.get("/cases/", {**query, "format": "csv"}, secure=True)
    if response.status_code in (302, 400):
        # Past the page's own limit the ledger is the worker's (the XLSX below): the page hands it
        # over (302, to the job's page) or, past the worker's limit too, refuses it (400).
        sys.exit(f"CSV: not streamed by the page ({response.status_code}): more rows than it exports")
    assert response.status_code == 200 and response.streaming, response.status_code
    size = lines = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\n")
    out.send(("CSV, streamed by the page", lines - 1, time.perf_counter() - started, size, rss_mb(), start_rss))


def export_xlsx(officer_pk: int, query: dict, out) -> None:
    connections.close_all()
    start_rss = rss_mb()
    from urllib.parse import urlencode

    job = ExportJob.objects.create(
        user=_user(officer_pk), ledger="cases", query=urlencode({**query, "format": "xlsx"}), file_format="xlsx",
        path="/cases/",
    )  # fmt: skip
    started = time.perf_counter()
    job = export_jobs.export_job_run(job.pk)
    elapsed = time.perf_counter() - started
    assert job.state == "done", job.state
    out.send(("XLSX, written by the worker", job.rows, elapsed, job.file.size, rss_mb(), start_rss))
    job.file.delete(save=False)
    job.delete()


def _user(pk: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def range_for(rows: int) -> dict:
    """The received-date range, from the newest case back, that selects about ``rows`` cases."""
    cases = Complaint.objects.order_by("-received_at").values_list("received_at", flat=True)
    oldest = cases[min(rows, cases.count()) - 1]
    newest = cases[0]
    return {"tab": "all", "received_from": f"{oldest:%Y-%m-%d}", "received_to": f"{newest:%Y-%m-%d}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    query = range_for(args.rows)
    print(f"\n{Complaint.objects.count():,} cases; the county officer; filters {query}")
    print(f"{'file':<30}{'rows':>9}{'seconds':>9}{'MB':>8}{'peak RSS MB':>13}{'growth MB':>11}")
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    for target in (export_csv, export_xlsx):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=target, args=(officer.pk, query, send))
        child.start()
        # The child holds the only writer now: if it dies, recv() ends instead of waiting forever.
        send.close()
        try:
            label, rows, seconds, size, peak, start = receive.recv()
        except EOFError:
            child.join()
            print(f"{target.__name__}: no figures (the child's exit code {child.exitcode}; its words above)")
            continue
        child.join()
        print(f"{label:<30}{rows:>9,}{seconds:>9.1f}{size / 2**20:>8.1f}{peak:>13.0f}{peak - start:>11.0f}")


if __name__ == "__main__":
    main()
