# gunicorn -c platform/gunicorn.conf.py config.wsgi  (run from the repository root)
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Process model, chosen by measurement (python -m bench.procmodel; docs/benchmarks.md "Process model"), not by the
# 2 × cores + 1 rule: one worker per core, 4 threads each. A request is mostly Python (it holds the GIL), so a
# worker runs one request at a time on one core and its other threads only help while a request waits on
# PostgreSQL or Redis; a worker per core keeps every core busy, more workers only add memory and cache misses.
# County scale, 2 cores, the masked 50-row page at 8 clients, medians of 3 rounds, after rows were completed in
# one pass (issue 15; load 0.5-5.7):
#   2 × 4: 137 req/s, p50 51 ms, 11 ms server CPU per request, 268 MiB; mixed load (pages, dashboard, a write)
#          103 req/s;
#   3 × 2: 142 req/s, p50 34 ms, 11 ms CPU, 384 MiB; mixed 104 req/s (within the other's range: more memory, no gain);
#   5 × 2 (the old default on 2 cores): 126 req/s, 12 ms CPU, 620 MiB; mixed 98 req/s;
#   1 × 8: 71 req/s, 149 MiB (one core at most: the GIL).
# Before the fast path (load 7-14) the order was the same: 2 × 4 27 req/s, 5 × 2 17 req/s.
# Every thread may hold a database connection: workers × threads connections per web node (pgbouncer's pool).
# Measured on 2 cores only; on a bigger node re-run the measure (WEB_CONCURRENCY, WEB_THREADS override).
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# No preload_app: without a broker server each worker process starts its own job thread (config/wsgi.py),
# which a fork after loading would lose.
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
