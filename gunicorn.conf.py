"""gunicorn's settings in production: the Dockerfile's command and bench/filing_rush.py read this file.

Processes come from WEB_CONCURRENCY (gunicorn's own variable). Each runs GUNICORN_THREADS
threads: a request spends much of its time waiting on PostgreSQL (a filing waits for its
commit to reach the disk), and another thread uses the CPU meanwhile. Measured with
bench/filing_rush.py (2 processes, a million cases, 8 clients): 1 thread 17.8 filings/s,
4 threads 25.8. Each thread keeps its own database connection (CONN_MAX_AGE).
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
