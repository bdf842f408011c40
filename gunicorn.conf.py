"""gunicorn's settings for the production profile; gunicorn reads this file from the directory it
starts in (`gunicorn patientvoice.wsgi`), and command-line options override it.

Threaded workers: a public form's POST spends most of its time waiting for PostgreSQL (the
insert, the summary, the task row, the commit that waits for the disk), and a sync worker
can serve nobody while it waits, so 16 people sending at once queued behind 4 workers
(bench/submit_load.py). Threads let a worker's other requests run meanwhile; a process per
core keeps the GIL from serialising them all. Each thread keeps its own database connection
(CONN_MAX_AGE), so workers x threads must stay under PostgreSQL's max_connections.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 10
