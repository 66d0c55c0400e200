"""Province-scale measures (issue 9): HTTP through gunicorn with the production settings, on the data set
of bench.generate, with raw-SQL and PostGraphile baselines in the same run.

    python -m bench.run --scale county|city|province [--seed 1] [--requests 200] [--seconds 20] [--no-doc]
    (make bench: province; make bench-data first)

The server is ``gunicorn -c platform/gunicorn.conf.py config.wsgi`` with DEBUG=0, the secrets from the
environment, Redis (DB 13) as the cache, and DJANGO_SETTINGS_MODULE=bench.settings: the production
settings plus one middleware that reports each request's SQL queries in a response header (the count is
server-side: sessions, authentication, scope, page, audit; a query is one round trip, and statements sent together,
a page and its nested lists, are one). Worker recycling (max_requests) is off so that
a measure is not cut by a restart. The client signs in like the web client (CSRF, ``login`` mutation,
session cookie) and sends the web client's own operations from frontend_schema/operations/.

Measures:
1. province rollup dashboard: ``rollups.services.refresh()`` first (time, Figure rows), then RollupDashboard and
   RollupBreakdown (by CHILD_ORGANIZATION) for a YEAR as the province ROLLUP_VIEWER, against a raw SQL count of
   the same figures from the base tables (and checked figure by figure);
2. a county member's page of children with organization and guardians (ChildRoster), masked (VIEWER) at
   10, 50 and 100 rows and newest first, and unmasked (STAFF: every PII read audited);
3. a township's wish board with claims (STAFF), and the partner token's published board;
4. page (2) at 8 concurrent clients, requests per second;
5. scope resolution per request: cold (scope version bumped before every request, as a grant change does)
   against warm, over HTTP, and ``permissions.scope.for_user`` in-process.
Baselines: raw SQL through psycopg building the same JSON (for 1, 2 and 3); PostGraphile 4 with RLS policies
for the same tenant rule (for 2 and 4; bench/postgraphile/), and PostGraphile 5 on the same rule and query
(bench/postgraphile5/). Prints a table and writes its scale's block of the
"## Province-scale benchmark (issue 9)" section of docs/benchmarks.md: each measure with the load average at its
start and end, beside the figures the block held before (its "before", kept across re-runs; --rebase-before).
"""

import argparse
import base64
import http.client
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import common

SECTION = "## Province-scale benchmark (issue 9)"
PORT = int(os.environ.get("BENCH_PORT", "8731"))  # another BENCH_PORT lets two runs share the machine
OPERATIONS = common.ROOT / "frontend_schema" / "operations"
PGL_DIR = Path(__file__).resolve().parent / "postgraphile"
# The measuring peers, by results key: (name, port, directory, entry point). Both serve the v4 schema over the same
# RLS policies (PGL_DIR/setup.sql), so the harness sends them the same query.
PEERS = {"pgl": ("PostGraphile 4.14.1", PORT + 1, PGL_DIR, "server.js"),
         "pgl5": ("PostGraphile 5.1.5", PORT + 2, PGL_DIR.parent / "postgraphile5", "server.mjs")}
LOGS = common.ROOT / "var" / "bench"
CLAIMS = "claims { donorKind donorLabel amount viaDispatch createdAt }"
PLAN_SAMPLES = 20  # fresh ANALYZE samples per plan check: issue 15 asks for the same plan over 20 (the CI smoke passes 1)


def log(message):
    common.log("run", message)


# --- the client --------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection with its own cookies (set by hand: the server runs DEBUG off, so its
    cookies are Secure and a cookie jar would not send them over http://127.0.0.1)."""

    def __init__(self, port, headers=None):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies = {}
        self.headers = dict(headers or {})

    def request(self, method, path, body=None, headers=None):
        head = {**self.headers, **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # a keep-alive connection the server closed: reconnect once
                if attempt:
                    raise
        seconds = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie = SimpleCookie(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, seconds

    def graphql(self, query, variables=None, operation=None, path="/graphql"):
        body = json.dumps({"query": query, "variables": variables or {}, "operationName": operation})
        extra = {"X-CSRFToken": self.cookies["csrftoken"]} if "csrftoken" in self.cookies else {}
        status, headers, data, seconds = self.request("POST", path, body.encode(), extra)
        answer = json.loads(data) if data else {}
        if status != 200 or answer.get("errors"):
            raise RuntimeError(f"HTTP {status}: {data[:500]!r}")
        queries = int(headers.get("x-bench-queries", "-1"))
        return answer, {"seconds": seconds, "queries": queries, "bytes": len(data),
                        "sql_ms": float(headers.get("x-bench-sql-ms", "nan")),
                        "server_ms": float(headers.get("x-bench-server-ms", "nan"))}

    def login(self, username):
        self.request("GET", "/auth/csrf/")
        answer, _ = self.graphql(operation_text("auth", "Login"),
                                 {"input": {"username": username, "password": common.PASSWORD}}, "Login")
        if answer["data"]["login"]["errors"]:
            raise RuntimeError(f"login {username}: {answer['data']['login']['errors']}")
        return self


def operation_text(file, name, extra_selection=None):
    """The web client's operation ``name`` from frontend_schema/operations/<file>.graphql with the fragments
    it uses (optionally with fields added to its node selection)."""
    from graphql import parse, print_ast
    from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, OperationDefinitionNode, visit, Visitor

    document = parse((OPERATIONS / f"{file}.graphql").read_text())
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name.value == name)
    needed, todo = [], [operation]
    while todo:
        spreads = []

        class Spreads(Visitor):
            def enter_fragment_spread(self, node: FragmentSpreadNode, *args):
                spreads.append(node.name.value)

        visit(todo.pop(), Spreads())
        for spread in spreads:
            if spread not in needed:
                needed.append(spread)
                todo.append(fragments[spread])
    text = "\n".join(print_ast(d) for d in [operation, *(fragments[n] for n in needed)])
    if extra_selection:
        first = needed[0]
        text = text.replace(f"...{first}", f"...{first}\n{extra_selection}", 1)
    return text


def stats(samples):
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]
    return {"p50": statistics.median(ordered) * 1000, "p95": p95 * 1000, "n": len(ordered)}


def sequential(call, requests, warmup):
    """Run ``call`` (returns (answer, info)) warmup + requests times; timings, queries per request, bytes."""
    for _ in range(warmup):
        call()
    load_start = common.load()
    seconds, queries, sizes, answer, sql_ms, server_ms = [], set(), set(), None, [], []
    for _ in range(requests):
        answer, info = call()
        seconds.append(info["seconds"])
        queries.add(info["queries"])
        sizes.add(info["bytes"])
        sql_ms.append(info.get("sql_ms", float("nan")))
        server_ms.append(info.get("server_ms", float("nan")))
    return {**stats(seconds), "queries": sorted(queries), "bytes": max(sizes), "answer": answer,
            "sql_ms": statistics.median(sql_ms), "server_ms": statistics.median(server_ms),
            "load": [load_start, common.load()]}


def interleaved(calls, requests, warmup):
    """Each of ``calls`` (name: call returning (answer, info)) in turn, ``requests`` rounds after ``warmup`` rounds:
    the servers meet the same moments of a shared machine, whose speed drifts between blocks of sequential requests
    (by a fifth within minutes here), so their ratio does not follow the drift. Per name its timings' stats and
    ``ratio``: the median over the rounds of the first call's time over this one's."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    load_start = common.load()
    seconds = {name: [] for name in calls}
    for _ in range(requests):
        for name, call in calls.items():
            seconds[name].append(call()[1]["seconds"])
    first = seconds[next(iter(calls))]
    return {**{name: {**stats(times), "ratio": statistics.median(a / b for a, b in zip(first, times))}
               for name, times in seconds.items()}, "load": [load_start, common.load()]}


def concurrent(make_call, clients, seconds, warmup_seconds=3, server=None):
    """``clients`` threads, each its own connection, for ``seconds``; requests/s and latency, and the CPU time per
    request over the same window of PostgreSQL's processes (``pg_cpu_ms``), of this process, the clients
    (``client_cpu_ms``), and with the ``server``'s pid, of the server (``cpu_ms``): on a machine whose cores the
    server, PostgreSQL and the clients share, requests per second follow their sum."""
    stop, results, errors = threading.Event(), [[] for _ in range(clients)], []
    measuring = threading.Event()

    def worker(index):
        call = make_call()
        try:
            while not stop.is_set():
                started = time.perf_counter()
                call()
                if measuring.is_set():
                    results[index].append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warmup_seconds)
    load_start = common.load()
    cpu_start = server and server_cpu_seconds(server)
    pg_start, client_start = postgres_ticks(), client_cpu_seconds()
    measuring.set()
    started = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - started
    cpu = server and server_cpu_seconds(server) - cpu_start
    pg_cpu, client_cpu = postgres_seconds_since(pg_start), client_cpu_seconds() - client_start
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise RuntimeError(f"concurrent run failed: {errors[:3]}")
    samples = [s for r in results for s in r]
    per_request = 1000 / len(samples)
    return {**stats(samples), "rps": len(samples) / elapsed, "requests": len(samples), "seconds": elapsed,
            "load": [load_start, common.load()], "pg_cpu_ms": pg_cpu * per_request,
            "client_cpu_ms": client_cpu * per_request, **({"cpu_ms": cpu * per_request} if server else {})}


CPU_KEYS = ("cpu_ms", "pg_cpu_ms", "client_cpu_ms")


def alternating(makers, clients, seconds, rounds, servers=None):
    """``concurrent`` runs of each of ``makers`` (name: make_call) in turn, ``rounds`` rounds of ``seconds`` each, each
    round starting one server later: on a shared machine requests per second drift by a fifth and more between
    minutes (8 clients read 86 req/s in one run and 129 in the next, the same code), so a ratio of two runs minutes
    apart judges the machine, not the servers. Per name the median of its rounds' req/s, p50 and CPU per request
    (its server's where ``servers`` names its pid, PostgreSQL's and the clients'), and ``ratio``: the median over
    the rounds of the first name's req/s over this one's (two runs of the same round are seconds apart)."""
    names = list(makers)
    runs = {name: [] for name in names}
    load_start = common.load()
    for i in range(rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            runs[name].append(concurrent(makers[name], clients, seconds, warmup_seconds=1,
                                         server=(servers or {}).get(name)))
    first = runs[names[0]]
    summary = {}
    for name, done in runs.items():
        summary[name] = {key: statistics.median(run[key] for run in done) for key in ("rps", "p50", *CPU_KEYS)
                         if key in done[0]}
        summary[name]["ratio"] = statistics.median(a["rps"] / b["rps"] for a, b in zip(first, done))
    return {**summary, "rounds": rounds, "seconds": seconds, "load": [load_start, common.load()]}


def server_processes(pid):
    """The /proc entries of gunicorn's master ``pid`` and its workers."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) if entry.name.isdigit() else 0
        except OSError:  # gone meanwhile
            continue
        if parent == pid or entry.name == str(pid):
            found.append(entry)
    return found


def process_ticks(entry):
    """User and system CPU ticks of the process at /proc ``entry`` so far (fields 14 and 15 of proc(5))."""
    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def postgres_ticks():
    """{pid: CPU ticks} of this machine's PostgreSQL processes (the server and every backend)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                found[entry.name] = process_ticks(entry)
        except OSError:  # gone meanwhile
            continue
    return found


def postgres_seconds_since(before):
    """PostgreSQL's CPU seconds since ``postgres_ticks()`` answered ``before``, counted over the processes alive now
    (a backend that exited in between took its ticks with it; one that started since counts from zero)."""
    now = postgres_ticks()
    ticks = sum(now[pid] - before.get(pid, 0) for pid in now)
    return ticks / os.sysconf("SC_CLK_TCK")


def client_cpu_seconds():
    """User and system CPU time of this process, every client thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(pid):
    """User and system CPU time of gunicorn's master ``pid`` and its workers so far."""
    ticks = 0
    for entry in server_processes(pid):
        try:
            ticks += process_ticks(entry)
        except OSError:
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


# --- servers ------------------------------------------------------------------------------------------------


def wait_for(port, path, proc, label, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{label} exited with {proc.returncode}; see its log in var/bench/")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{label} did not answer on port {port}")


GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-c", "platform/gunicorn.conf.py", "--max-requests", "0"]


def gunicorn_env(scale, seed, workers=None, threads=None):
    """The server's environment: production settings with the bench secrets and database, the cache in the
    Redis DB of REDIS_URL (common.configure_env's default: DB 13), and the process model of
    platform/gunicorn.conf.py unless ``workers`` × ``threads`` is given (its WEB_CONCURRENCY, WEB_THREADS)."""
    model = {"WEB_CONCURRENCY": str(workers), "WEB_THREADS": str(threads)} if workers else {}
    return {**os.environ, **common.bench_secrets(seed), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": common.database_url(scale), "REDIS_URL": os.environ["REDIS_URL"],
            "BIND": f"127.0.0.1:{PORT}", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(common.ROOT), **common.PLAIN_HTTP, **model}


def gunicorn_model(env):
    """(workers, threads) as platform/gunicorn.conf.py sets them in ``env`` (gunicorn --print-config)."""
    printed = subprocess.run([*GUNICORN, "--print-config", "config.wsgi"], cwd=common.ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
    settings = dict(re.findall(r"^(workers|threads)\s+= (\d+)$", printed, re.M))
    return int(settings["workers"]), int(settings["threads"])


def start_gunicorn(scale, seed, workers=None, threads=None):
    env = gunicorn_env(scale, seed, workers, threads)
    LOGS.mkdir(parents=True, exist_ok=True)
    out = open(LOGS / f"gunicorn-{scale}.log", "w")
    proc = subprocess.Popen([*GUNICORN, "config.wsgi"], cwd=common.ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    wait_for(PORT, "/auth/csrf/", proc, "gunicorn")
    return proc


def start_postgraphile(scale, key):
    name, port, directory, entry = PEERS[key]
    if not (directory / "node_modules" / "postgraphile").exists():
        log(f"installing the {name} peer (npm ci in bench/{directory.name})")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=directory, check=True)
    env = {**os.environ, "DATABASE_URL": common.database_url(scale), "PORT": str(port), "NODE_ENV": "production"}
    out = open(LOGS / f"{directory.name}-{scale}.log", "w")
    proc = subprocess.Popen(["node", entry], cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_for(port, "/health", proc, name)
    return proc


def stop(proc):
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: only the processes this run started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --- the data set ----------------------------------------------------------------------------------------------


def pg():
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def generation(conn):
    row = conn.execute("SELECT summary FROM bench_generation ORDER BY id DESC LIMIT 1").fetchone()
    return row[0]


def actor_paths(summary):
    return summary["actors"]


def global_id(type_name, pk):
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def decode_id(value):
    return int(base64.b64decode(value).decode().split(":", 1)[1])


# --- raw SQL baselines -------------------------------------------------------------------------------------------


CHILD_PAGE_SQL = """
SELECT c.id, c.organization_id, c.org_path, c.name, c.sex, c.birth_date, c.id_number, c.categories, c.school,
       c.grade, c.guardian_arrangement, c.status, count(*) OVER () AS total, o.name AS org_name
FROM children_child c JOIN orgs_organization o ON o.id = c.organization_id
WHERE c.org_path LIKE %(prefix)s
ORDER BY {order} LIMIT %(limit)s"""
GUARDIANS_SQL = "SELECT child_id, name, relation, phone FROM children_guardian WHERE child_id = ANY(%s) ORDER BY id"


def age_on(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def raw_children_page(conn, prefix, first, order="c.org_path, c.name, c.id", pii=False, audit=None):
    """The ChildRoster answer built by hand: same two statements, same decryption and masking, same JSON."""
    from core.crypto import decrypt
    from permissions.masking import mask_id_number, mask_name, mask_phone

    today = date.today()
    with conn.cursor() as cursor:
        cursor.execute(CHILD_PAGE_SQL.format(order=order), {"prefix": prefix + "%", "limit": first + 1})
        rows = cursor.fetchall()
        page, more = rows[:first], len(rows) > first
        cursor.execute(GUARDIANS_SQL, [[r[0] for r in page]])
        guardians = {}
        for child_id, name, relation, phone in cursor.fetchall():
            guardians.setdefault(child_id, []).append((name, relation, decrypt(phone) if phone else ""))
        edges = []
        for (pk, org_id, path, name, sex, born, id_token, categories, school, grade, arrangement, status, total,
             org_name) in page:
            number = decrypt(id_token)
            edges.append({"node": {
                "id": global_id("Child", pk), "name": name if pii else mask_name(name), "sex": sex,
                "age": age_on(born, today), "idNumber": number if pii else mask_id_number(number), "piiVisible": pii,
                "categories": categories, "guardianArrangement": arrangement, "school": school, "grade": grade,
                "status": status, "organization": {"id": global_id("Organization", org_id), "name": org_name},
                "guardians": [{"name": n if pii else mask_name(n), "relation": r, "phone": p if pii else mask_phone(p)}
                              for n, r, p in guardians.get(pk, [])]}})
        if pii and audit:  # the same audit rows the API writes for unmasked reads, in one INSERT
            cursor.executemany(
                "INSERT INTO permissions_auditentry (actor_user_id, actor_label, organization_id, org_path, action, "
                "target_type, target_id, changes, ip, created_at) VALUES (%s, %s, %s, %s, 'pii.read', "
                "'children.Child', %s, '{}', '127.0.0.1', now())",
                [(audit[0], audit[1], r[1], r[2], str(r[0])) for r in page])
    total = page[0][12] if page else 0
    return json.dumps({"data": {"children": {"totalCount": total, "pageInfo": {"hasNextPage": more},
                                             "edges": edges}}}, ensure_ascii=False)


WISH_PAGE_SQL = """
SELECT w.id, w.title, w.category, w.state, w.estimated_value, w.covered_amount, w.quantity, w.claim_deadline,
       w.household, h.name, w.organization_id, o.name, w.child_id, c.name, c.birth_date, c.organization_id,
       c.org_path, count(*) OVER ()
FROM wishes_wish w JOIN orgs_organization o ON o.id = w.organization_id
LEFT JOIN orgs_organization h ON h.id = w.handling_organization_id
LEFT JOIN children_child c ON c.id = w.child_id
WHERE w.org_path LIKE %(prefix)s ORDER BY w.created_at DESC, w.id DESC LIMIT %(limit)s"""
CLAIMS_SQL = ("SELECT wish_id, donor_kind, donor_label, amount, via_dispatch, created_at FROM wishes_claim "
              "WHERE wish_id = ANY(%s) ORDER BY created_at, id")


def raw_wish_board(conn, prefix, first, audit):
    """The township staff's wish board with claims built by hand (children unmasked: staff hold the PII
    permission over their township, so the same audit rows are written)."""
    from permissions.masking import mask_name  # noqa: F401 - staff see names unmasked

    today = date.today()
    with conn.cursor() as cursor:
        cursor.execute(WISH_PAGE_SQL, {"prefix": prefix + "%", "limit": first + 1})
        rows = cursor.fetchall()
        page, more = rows[:first], len(rows) > first
        cursor.execute(CLAIMS_SQL, [[r[0] for r in page]])
        claims = {}
        for wish_id, kind, label, amount, via, created in cursor.fetchall():
            claims.setdefault(wish_id, []).append({"donorKind": kind, "donorLabel": label, "amount": str(amount),
                                                   "viaDispatch": via, "createdAt": created.isoformat()})
        edges, reads = [], []
        for (pk, title, category, state, value, covered, quantity, deadline, household, handling, org_id, org_name,
             child_id, child_name, born, child_org, child_path, total) in page:
            child = None
            if child_id is not None and child_path.startswith(prefix):
                child = {"id": global_id("Child", child_id), "name": child_name, "age": age_on(born, today)}
                reads.append((child_org, child_path, child_id))
            edges.append({"node": {
                "id": global_id("Wish", pk), "title": title, "category": category, "state": state,
                "estimatedValue": str(value), "coveredAmount": str(covered), "remaining": str(value - covered),
                "quantity": quantity, "claimDeadline": deadline and deadline.isoformat(), "household": household,
                "handlingOrganizationName": handling,
                "organization": {"id": global_id("Organization", org_id), "name": org_name}, "child": child,
                "claims": claims.get(pk, [])}})
        if reads:
            cursor.executemany(
                "INSERT INTO permissions_auditentry (actor_user_id, actor_label, organization_id, org_path, action, "
                "target_type, target_id, changes, ip, created_at) VALUES (%s, %s, %s, %s, 'pii.read', "
                "'children.Child', %s, '{}', '127.0.0.1', now())",
                [(audit[0], audit[1], org, path, str(child)) for org, path, child in dict.fromkeys(reads)])
    total = page[0][-1] if page else 0
    return json.dumps({"data": {"wishes": {"totalCount": total, "pageInfo": {"hasNextPage": more}, "edges": edges}}},
                      ensure_ascii=False)


def timed_raw(build, requests, warmup):
    for _ in range(warmup):
        build()
    load_start, seconds = common.load(), []
    for _ in range(requests):
        started = time.perf_counter()
        build()
        seconds.append(time.perf_counter() - started)
    return {**stats(seconds), "load": [load_start, common.load()]}


# --- measure 1: rollups ----------------------------------------------------------------------------------------------


ROLLUP_YEAR = 2025  # the last whole year of the data set (wishes 2024-01 .. 2026-10)
CATEGORIES = ("LEFT_BEHIND", "MIGRANT", "IN_DIFFICULTY", "DE_FACTO_ORPHAN", "DISABLED")
ARRANGEMENTS = ("GRANDPARENTS", "SINGLE_PARENT", "RELATIVES", "ONE_PARENT_HOME", "OTHER")
WISH_EVENTS = ("collected:created_at", "published:published_at", "claimed:claimed_at", "delivered:delivered_at",
               "fulfilled:fulfilled_at", "escalated:escalated_at", "closed:closed_at")
# Person pairings are overdue after these weeks without contact (programs.pairings.OVERDUE_WEEKS, restated
# here on purpose: the baseline is written from the rule, not from the product's code)
OVERDUE_WEEKS = {"BIG_HAND": 4, "HAND_IN_HAND": 8, "SURROGATE_MOTHER": 2, "UNIT_COUNTY": 26, "BRANCH_SCHOOL": 13,
                 "COMMITTEE_MEMBER_COUNTY": 26}


def raw_rollup_statements(grouped):
    """The figures of RollupFigures straight from the base tables: one GROUP BY per table over the path range
    (``grouped``: by the subtree's direct children, i.e. the path's next step), never the Figure table."""
    key = "left(org_path, %(width)s)" if grouped else "''"
    year = ("{col} >= %(start)s AND {col} < %(end)s")
    wishes = ", ".join(f"count(*) FILTER (WHERE {year.format(col=col)})" for col in (e.split(":")[1] for e in WISH_EVENTS))
    children = ", ".join([*(f"count(*) FILTER (WHERE categories @> '[\"{c}\"]')" for c in CATEGORIES),
                          *(f"count(*) FILTER (WHERE guardian_arrangement = '{a}')" for a in ARRANGEMENTS)])
    overdue = " OR ".join(f"(kind = '{k}' AND last_contact_on < %(today)s::date - {w * 7})" for k, w in OVERDUE_WEEKS.items())
    scope = "org_path LIKE %(prefix)s"
    return {
        "wishes": f"SELECT {key}, {wishes} FROM wishes_wish WHERE {scope} GROUP BY 1",
        "children": f"SELECT {key}, count(*), {children} FROM children_child WHERE {scope} AND status = 'ACTIVE' GROUP BY 1",
        "homes": f"""SELECT k, count(*), sum(nc), sum(nv),
                    count(*) FILTER (WHERE (nc > 0 AND nv * 10 < nc * 3) OR NOT dir OR NOT sw
                                     OR NOT (open_after_school AND open_weekends AND open_holidays))
                    FROM (SELECT {key} AS k, h.open_after_school, h.open_weekends, h.open_holidays,
                            (SELECT count(*) FROM programs_homechild WHERE home_id = h.id) AS nc,
                            (SELECT count(*) FROM programs_happyhome_volunteers WHERE happyhome_id = h.id) AS nv,
                            EXISTS (SELECT 1 FROM programs_homestaff WHERE home_id = h.id AND role = 'DIRECTOR') AS dir,
                            EXISTS (SELECT 1 FROM programs_homestaff WHERE home_id = h.id AND role = 'SOCIAL_WORKER') AS sw
                          FROM programs_happyhome h WHERE {scope}) s GROUP BY 1""",
        "volunteers": f"SELECT {key}, count(*) FROM programs_volunteer WHERE {scope} GROUP BY 1",
        "points": f"""SELECT {key}, count(*), sum(children_served), sum(money_raised), sum(goods_value),
                      sum((SELECT count(*) FROM programs_servicepoint_volunteers WHERE servicepoint_id = p.id))
                      FROM programs_servicepoint p WHERE {scope} AND starts_on >= %(first)s AND starts_on < %(next)s
                      GROUP BY 1""",
        "hours": f"""SELECT {key}, sum(hours) FROM programs_servicerecord WHERE {scope} AND service_point_id IS NOT NULL
                     AND confirmed_at IS NOT NULL AND served_on >= %(first)s AND served_on < %(next)s GROUP BY 1""",
        "pairings": f"""SELECT {key}, count(*) FILTER (WHERE state = 'ACTIVE'),
                        count(*) FILTER (WHERE state = 'ACTIVE' AND ({overdue})),
                        count(*) FILTER (WHERE started_on >= %(first)s AND started_on < %(next)s)
                        FROM programs_pairing WHERE {scope} GROUP BY 1""",
        "activities": f"""SELECT {key}, count(*) FROM programs_activity WHERE {scope}
                          AND held_on >= %(first)s AND held_on < %(next)s GROUP BY 1""",
    }


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def raw_rollup(conn, prefix, year=ROLLUP_YEAR, grouped=False):
    """{group key: the RollupFigures numbers} for the subtree at ``prefix`` (grouped: per direct child)."""
    from decimal import Decimal

    params = {"prefix": prefix + "%", "width": len(prefix) + 4, "first": date(year, 1, 1), "next": date(year + 1, 1, 1),
              "start": f"{year}-01-01 00:00:00+08", "end": f"{year + 1}-01-01 00:00:00+08",  # months in Asia/Shanghai
              "today": date.today()}
    rows = {}
    with conn.cursor() as cursor:
        for name, sql in raw_rollup_statements(grouped).items():
            cursor.execute(sql, params)
            for key, *values in cursor.fetchall():
                rows.setdefault(key, {})[name] = values
    out = {}
    for key, r in rows.items():
        def get(name, n):
            return r.get(name, [0] * n)
        w, c = get("wishes", 7), get("children", 11)
        h, v, pt, hrs = get("homes", 4), get("volunteers", 1), get("points", 5), get("hours", 1)
        pr, act = get("pairings", 3), get("activities", 1)
        wishes = dict(zip((e.split(":")[0] for e in WISH_EVENTS), w))
        nc, nv = int(h[1] or 0), int(h[2] or 0)
        out[key] = {
            "children": {"total": c[0], "byCategory": dict(zip(CATEGORIES, c[1:6])),
                         "byArrangement": dict(zip(ARRANGEMENTS, c[6:11]))},
            "wishes": {**wishes, "fulfilmentRate": _rate(wishes["fulfilled"], wishes["collected"])},
            "happyHomes": {"sites": h[0], "childrenServed": nc, "volunteers": nv, "volunteerRatio": _rate(nv, nc),
                           "belowStandard": h[3]},
            "holiday": {"servicePoints": pt[0], "childrenServed": int(pt[1] or 0), "volunteers": int(pt[4] or 0),
                        "serviceHours": str(Decimal(hrs[0] or 0).quantize(Decimal("0.1"))),
                        "moneyRaised": str(Decimal(pt[2] or 0).quantize(Decimal("0.01"))),
                        "goodsValue": str(Decimal(pt[3] or 0).quantize(Decimal("0.01")))},
            "pairings": {"active": pr[0], "overdue": pr[1], "started": pr[2]},
            "volunteersRegistered": v[0], "activities": act[0],
        }
    return out


def api_figures(rollup):
    """The API's RollupFigures in the raw baseline's shape (category and arrangement lists as dicts)."""
    out = {k: v for k, v in rollup.items() if k not in ("startsOn", "endsOn", "computedAt")}
    out["children"] = {"total": rollup["children"]["total"],
                       "byCategory": {x["key"]: x["count"] for x in rollup["children"]["byCategory"]},
                       "byArrangement": {x["key"]: x["count"] for x in rollup["children"]["byArrangement"]}}
    return out


def differences(api, raw, where=""):
    """Leaf-by-leaf differences between two figure trees: ['path: api … raw …'], leaving out the API's figures that
    the raw SQL does not count (``uncounted``)."""
    out = []
    for key in sorted(set(api) | set(raw)):
        a, b = api.get(key), raw.get(key)
        if isinstance(a, dict) or isinstance(b, dict):
            out += differences(a or {}, b or {}, f"{where}{key}.")
        elif key in raw and str(a) != str(b) and not (a is not None and b is not None and float(a) == float(b)):
            out.append(f"{where}{key}: API {a}, raw {b}")
    return out


def uncounted(api, raw, where=""):
    """The paths of the API's figures that the raw SQL baseline does not count (not cross-checked)."""
    out = []
    for key, value in api.items():
        if isinstance(value, dict):
            out += uncounted(value, raw.get(key) or {}, f"{where}{key}.")
        elif key not in raw:
            out.append(f"{where}{key}")
    return out


def refresh_rollups():
    """rollups.services.refresh() in-process, as the periodic job runs it: wall time, rows, peak memory."""
    import resource

    from rollups import services
    from rollups.models import Figure

    load_before = common.load()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    run = services.refresh()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": run.rows, "run_seconds": run.seconds, "figures": Figure.objects.count(),
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_mib": rss_before / 1024, "load_before": load_before, "load_after": common.load()}


# --- PostGraphile --------------------------------------------------------------------------------------------------


PGL_QUERY = """query ($first: Int!) {
  allChildrenChildren(first: $first, orderBy: [ORG_PATH_ASC, NAME_ASC, PRIMARY_KEY_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id maskedName sex birthDate idNumber categories guardianArrangement school grade status
      orgsOrganizationByOrganizationId { id name }
      childrenGuardiansByChildId(orderBy: PRIMARY_KEY_ASC) { nodes { maskedName relation phone } }
    }
  }
}"""


def pgl_call(client, prefix, first):
    def call():
        body = json.dumps({"query": PGL_QUERY, "variables": {"first": first}}).encode()
        status, _, data, seconds = client.request("POST", "/graphql", body, {"X-Scope-Paths": prefix})
        answer = json.loads(data)
        if status != 200 or answer.get("errors"):
            raise RuntimeError(f"PostGraphile HTTP {status}: {data[:300]!r}")
        return answer, {"seconds": seconds, "queries": 1, "bytes": len(data)}
    return call


def setup_postgraphile_database(conn):
    conn.execute((PGL_DIR / "setup.sql").read_text())


# --- plans: the newest-first page ---------------------------------------------------------------------------------


def captured_page_sql(username, order, first):
    """The SQL the API sends for ChildRoster (in-process, through Django's test client)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from graphql_api.guards import statement

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=username))
    query = operation_text("children", "ChildRoster")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/graphql", {"query": query, "variables": {"first": first, "order": order},
                                            "operationName": "ChildRoster"}, content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json(), response.content[:300]
    return next(statement(q["sql"]) for q in queries if "FROM \"children_child\"" in q["sql"] and "ORDER BY" in q["sql"])


def explain(conn, sql):
    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()
    return [r[0] for r in rows]


SCAN_ON_CHILD = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan)"
                           r"(?: using (\S+))? on children_child)(?:\s|$)")


def plan_kind(plan):
    """How the plan reads children_child: its scan nodes, e.g. 'Index Scan (..._like)' or 'Seq Scan'."""
    scans = []
    for line in plan:
        match = SCAN_ON_CHILD.search(line)
        if match:
            kind = match.group(1).split(" using ")[0].replace(" on children_child", "")
            index = match.group(2)
            scans.append(f"{kind} ({index})" if index else kind)
    bitmap = [m.group(1) for line in plan for m in [re.search(r"Bitmap Index Scan on (\S+)", line)] if m]
    scans += [f"Bitmap Index Scan ({b})" for b in bitmap if b.startswith("children_child")]
    return " + ".join(dict.fromkeys(scans)) or "other"


def execution_ms(plan):
    return float(next(line.split(":")[1].split()[0] for line in plan if line.startswith("Execution Time")))


def rows_removed(plan):
    total, loops = 0, 1
    for line in plan:
        if m := re.search(r"actual time=\S+ rows=\d+ loops=(\d+)", line):
            loops = int(m.group(1))
        if m := re.search(r"Rows Removed by Filter: (\d+)", line):
            total += int(m.group(1)) * loops
    return total


def default_order_plans(conn, sql_by_label, samples):
    """The ChildRoster page in its default order (org_path, name, id) as the API sends it, over fresh samples."""
    results = {}
    for label, sql in sql_by_label.items():
        kinds, times, removed = {}, [], []
        for _ in range(samples):
            conn.execute("ANALYZE children_child")
            plan = explain(conn, sql)
            kind = plan_kind(plan)
            kinds[kind] = kinds.get(kind, 0) + 1
            times.append(execution_ms(plan))
            removed.append(rows_removed(plan))
        results[label] = {"sql": sql, "kinds": kinds, "ms": statistics.median(times), "max_ms": max(times),
                          "removed": max(removed), "plan": plan}
        # a proposal, not applied: order by the path's bytes (what the pattern-ops index holds), so that the
        # plain org_path index no longer looks like a free ORDER BY and the scope stays an index range
        collated = sql.replace('ORDER BY "children_child"."org_path" ASC', 'ORDER BY "children_child"."org_path" COLLATE "C" ASC')
        if collated != sql:
            plans = [explain(conn, collated) for _ in range(3)]
            results[label]["collate_c"] = {"ms": statistics.median(execution_ms(p) for p in plans),
                                           "kind": plan_kind(plans[-1]), "removed": rows_removed(plans[-1])}
    return results


def captured_board_sql(username):
    """The SQL the API sends for the wish board (WishBoard + claims, first 50)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from graphql_api.guards import statement

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=username))
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/graphql", {"query": operation_text("wishes", "WishBoard", CLAIMS),
                                            "variables": {"first": 50}, "operationName": "WishBoard"},
                               content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json(), response.content[:300]
    return next(statement(q["sql"]) for q in queries if 'FROM "wishes_wish"' in q["sql"] and "ORDER BY" in q["sql"])


def wish_board_plans(conn, sql, prefix, samples):
    """The township's wish board (newest first, COUNT(*) OVER ()): today, and with a covering index and the
    ``id IN (subquery)`` page shape (the index is created for the check and dropped)."""
    def kinds_of(statement):
        kinds, times, removed = {}, [], 0
        for _ in range(samples):
            conn.execute("ANALYZE wishes_wish")
            plan = explain(conn, statement)
            scans = [m.group(1) for line in plan for m in [re.search(
                r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan)"
                r"(?: using \S+)?) on wishes_wish(?:\s|$)", line)] if m]
            kind = " + ".join(dict.fromkeys(scans)) or "other"
            kinds[kind] = kinds.get(kind, 0) + 1
            times.append(execution_ms(plan))
            removed = max(removed, rows_removed(plan))
        return {"kinds": kinds, "ms": statistics.median(times), "max_ms": max(times), "removed": removed,
                "plan": plan}

    result = {"today": kinds_of(sql)}
    conn.execute("CREATE INDEX IF NOT EXISTS bench_prov_wish_path_created ON wishes_wish "
                 "(org_path varchar_pattern_ops, created_at, id)")
    try:
        fixed = ("SELECT w.*, o.name FROM wishes_wish w JOIN orgs_organization o ON o.id = w.organization_id "
                 f"WHERE w.id IN (SELECT id FROM wishes_wish WHERE org_path LIKE '{prefix}%' "
                 "ORDER BY created_at DESC, id DESC LIMIT 51) ORDER BY w.created_at DESC, w.id DESC")
        result["fixed"] = kinds_of(fixed)
        result["count_ms"] = execution_ms(explain(
            conn, f"SELECT count(*) FROM wishes_wish WHERE org_path LIKE '{prefix}%'"))
    finally:
        conn.execute("DROP INDEX IF EXISTS bench_prov_wish_path_created")
        conn.execute("ANALYZE wishes_wish")
    return result


def newest_first_plans(conn, prefixes, api_sql_by_label, samples):
    """Which plan the newest-first page gets over fresh ANALYZE samples, today and with the proposed fix."""
    results = {}
    for label, prefix in prefixes.items():
        sql = api_sql_by_label[label]
        kinds, times = {}, []
        for _ in range(samples):
            conn.execute("ANALYZE children_child")
            plan = explain(conn, sql)
            kind = plan_kind(plan)
            kinds[kind] = kinds.get(kind, 0) + 1
            times.append(execution_ms(plan))
        results[label] = {"sql": sql, "kinds": kinds, "ms": statistics.median(times), "max_ms": max(times),
                          "plan": plan}
    # the fix found by hand in an earlier session: a covering index and an id IN (subquery) page
    conn.execute("CREATE INDEX IF NOT EXISTS bench_prov_child_path_created ON children_child "
                 "(org_path varchar_pattern_ops, created_at, id)")
    conn.execute("ANALYZE children_child")
    try:
        for label, prefix in prefixes.items():
            fixed = (f"SELECT c.*, o.name FROM children_child c JOIN orgs_organization o ON o.id = c.organization_id "
                     f"WHERE c.id IN (SELECT id FROM children_child WHERE org_path LIKE '{prefix}%' "
                     f"ORDER BY created_at DESC, id DESC LIMIT 51) ORDER BY c.created_at DESC, c.id DESC")
            count = f"SELECT count(*) FROM children_child WHERE org_path LIKE '{prefix}%'"
            kinds, times, count_times = {}, [], []
            for _ in range(samples):
                conn.execute("ANALYZE children_child")
                plan = explain(conn, fixed)
                kind = plan_kind(plan)
                kinds[kind] = kinds.get(kind, 0) + 1
                times.append(execution_ms(plan))
                count_times.append(execution_ms(explain(conn, count)))
            api_with_index = explain(conn, api_sql_by_label[label])
            results[label]["fixed"] = {"sql": fixed, "kinds": kinds, "ms": statistics.median(times),
                                       "max_ms": max(times), "count_ms": statistics.median(count_times),
                                       "plan": plan, "api_with_index_ms": execution_ms(api_with_index),
                                       "api_with_index_kind": plan_kind(api_with_index)}
    finally:
        conn.execute("DROP INDEX IF EXISTS bench_prov_child_path_created")
        conn.execute("ANALYZE children_child")
    return results


# --- plans: every list page the web client reads -----------------------------------------------------------------

# (root field, actor, orders): each list page the web client pages, in each order the API offers (None: the list's
# default order), read as the actor whose scope makes it big (PARTNER: the generated partner unit's API token)
PARTNER = "partner token"
WISH_ORDERS = (None, {"publishedAt": "DESC"}, {"claimDeadline": "ASC"}, {"estimatedValue": "DESC"})
LIST_PAGES = (
    ("children", "bench_county_viewer", (None, {"name": "ASC"}, {"birthDate": "ASC"}, {"createdAt": "DESC"})),
    ("wishes", "bench_township_staff", WISH_ORDERS),
    ("wishes", "bench_county_staff", WISH_ORDERS),
    ("organizations", "bench_county_viewer", (None, {"name": "ASC"}, {"level": "ASC"}, {"divisionCode": "ASC"},
                                              {"createdAt": "DESC"})),
    ("volunteers", "bench_county_viewer", (None,)),
    ("serviceRecords", "bench_county_viewer", (None,)),
    ("pairings", "bench_county_viewer", (None,)),
    ("activities", "bench_county_viewer", (None,)),
    ("happyHomes", "bench_county_viewer", (None,)),
    ("auditEntries", "bench_county_staff", (None,)),
    ("myJobs", "bench_county_staff", (None,)),
    ("publishedWishes", PARTNER, (None,)),
    ("unitClaims", PARTNER, (None,)),
    ("myClaims", "bench_county_staff", (None,)),
    ("myDispatches", PARTNER, (None, {"deadline": "ASC"})),
)
LIST_SIZES = (10, 50, 100)
ACTOR_TABLES = ("django_session", "auth_user", "permissions_apitoken", "permissions_scopeversion",
                "permissions_organizationuserpermission", "permissions_organizationgrouppermission")  # the actor's
SCAN = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan|"
                  r"Bitmap Index Scan))(?: using (\S+))? on (\S+)")


def order_text(order):
    return "default" if order is None else " ".join(f"{k} {v}" for k, v in order.items())


def captured_list_sql(username, field, order, first, token=None):
    """The statement that reads the page of root connection ``field`` as the API sends it for ``username``
    (PARTNER: the API token ``token``; in-process, Django's test client, the same view and schema), or the API's
    error."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from graphql_api.guards import statement

    if username == PARTNER:
        if token is None:
            return None, "no partner token (var/bench/<database>.token)"
        client = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client = DjangoClient()
        client.force_login(get_user_model().objects.get(username=username))
    argument = "" if order is None else ", order: {" + ", ".join(f"{k}: {v}" for k, v in order.items()) + "}"
    query = f"query {{ {field}(first: {first}{argument}) {{ totalCount edges {{ node {{ id }} }} }} }}"
    with CaptureQueriesContext(connection) as queries:
        answer = client.post("/graphql", {"query": query}, content_type="application/json").json()
    if answer.get("errors"):
        return None, answer["errors"][0].get("message", "error")[:80]
    page = [statement(q["sql"]) for q in queries if " LIMIT " in q["sql"] and "ORDER BY" in q["sql"]
            and re.search(r'FROM "(\w+)"', q["sql"]).group(1) not in ACTOR_TABLES]
    return (page[0], None) if page else (None, "no page statement (nothing in the actor's scope)")


def page_table(sql):
    """The table a page statement reads: the one its outer ORDER BY names (subqueries order by aliases)."""
    return re.findall(r'ORDER BY \(?"(\w+)"\.', sql)[-1]


def plan_signature(plan):
    """The plan's scan nodes in order, e.g. 'Index Only Scan using wish_page_created_at_id on wishes_wish'."""
    nodes = []
    for line in plan:
        if m := SCAN.search(line):
            nodes.append(f"{m.group(1)}{' using ' + m.group(2) if m.group(2) else ''} on {m.group(3)}")
    return " + ".join(dict.fromkeys(nodes)) or "other"


def list_page_plans(conn, samples, token=None, pages=LIST_PAGES, sizes=LIST_SIZES):
    """Every list page in each order at each size, as the API sends it (``token``: the partner token's secret):
    over ``samples`` fresh ANALYZE samples of the page's table (one ANALYZE serves every statement on that table),
    the median and slowest execution and the plans seen (one plan: stable)."""
    rows = []
    for field, username, orders in pages:
        for order in orders:
            for first in sizes:
                row = {"list": field, "actor": username, "order": order_text(order), "rows": first}
                sql, error = captured_list_sql(username, field, order, first, token)
                if sql is None:
                    row["error"] = error
                else:
                    row.update(table=page_table(sql), sql=sql, plans={}, times=[])
                rows.append(row)
    measured = [r for r in rows if "sql" in r]
    for table in dict.fromkeys(r["table"] for r in measured):
        for _ in range(samples):
            conn.execute(f"ANALYZE {table}")
            for r in (r for r in measured if r["table"] == table):
                plan = explain(conn, r["sql"])
                signature = plan_signature(plan)
                r["plans"][signature] = r["plans"].get(signature, 0) + 1
                r["times"].append(execution_ms(plan))
                r["last_plan"] = plan
        log(f"  {table}: {samples} samples")
    for r in measured:
        times = r.pop("times")
        r.update(p50_ms=statistics.median(times), max_ms=max(times), stable=len(r["plans"]) == 1)
    return rows


LIST_PLANS = "#### Every list page the web client reads, in each order: plans"


def list_plans_table(rows, samples):
    """The list-page plan check as a Markdown table."""
    lines = [f"| list | actor | order | rows | p50 / max ms over {samples} ANALYZE samples | plans | plan (most often) |",
             "|---|---|---|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['list']} | {r['actor']} | {r['order']} | {r['rows']} | — | — | {r['error']} |")
            continue
        common_plan = max(r["plans"], key=r["plans"].get)
        lines.append(f"| {r['list']} | {r['actor']} | {r['order']} | {r['rows']} | {r['p50_ms']:.2f} / "
                     f"{r['max_ms']:.2f} | {len(r['plans'])} | {common_plan} |")
    return lines


def partner_token(scale):
    """The generated partner token's secret, if the generator left it here."""
    path = common.token_file(scale)
    return path.read_text().strip() if path.exists() else None


def plans_only(args):
    """``--plans-only``: the list-page plan check alone (no server, no traffic), printed and written to
    var/bench/plans-<scale>.json and, unless --no-doc, over the list plans of the scale's block in the doc."""
    common.setup_django(args.scale, args.seed)
    conn = pg()
    load = common.load()
    rows = list_page_plans(conn, args.plan_samples, partner_token(args.scale))
    result = {"load": {"start": load, "end": common.load()}, "samples": args.plan_samples, "list_plans": rows,
              "measured": f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
              "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1]}
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"plans-{args.scale}.json").write_text(json.dumps(result, default=str, ensure_ascii=False, indent=1))
    table = list_plans_table(rows, args.plan_samples)
    print("\n".join(table))
    print(f"load average: {result['load']}")
    if not args.no_doc:
        note = (f"Re-checked alone by `python -m bench.run --scale {args.scale} --plans-only --plan-samples "
                f"{args.plan_samples}` on {result['database']}, {result['measured']}, load average "
                f"{result['load']['start']} at the start, {result['load']['end']} at the end (the rest of this block "
                "is the full run's).")
        replace_list_plans(args.scale, [note, "", *table])
    return result


def replace_list_plans(scale, lines):
    """Write a plans-only run's table over the list-plan part of the scale's block in docs/benchmarks.md, leaving the
    rest of the block (the full run's measures) as it is; a scale without a block is left alone."""
    block = common.scale_blocks(SECTION).get(scale)
    if block is None:
        log(f"docs/benchmarks.md has no {scale} block (a full run writes it): not written")
        return
    part = "\n".join([LIST_PLANS, "", *lines]) + "\n\n"
    pattern = re.compile(rf"^{re.escape(LIST_PLANS)}\n.*?(?=^#### |\Z)", re.S | re.M)
    block = pattern.sub(lambda _: part, block, count=1) if pattern.search(block) else block + "\n" + part
    write_doc(scale, block)
    log(f"wrote the {scale} list plans into {common.DOC.name}")


# --- where the time goes --------------------------------------------------------------------------------------------


def profile_page(username, first=50, runs=5, cpu_runs=30):
    """ChildRoster in-process (Django's test client, the same view, middleware and schema): the server's CPU per
    page (process time of each request, median and least of ``cpu_runs``; issue 15's target is 25 ms for 50 rows)
    with the cycle collector as a web worker runs it (config/collector.py) and the collector's time per page, then a
    cProfile of ``runs`` pages, own time by function."""
    import cProfile
    import gc
    import io
    import pstats

    from django.contrib.auth import get_user_model
    from django.test import Client as DjangoClient

    from config import collector

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=username))
    query = operation_text("children", "ChildRoster")

    def one():
        response = client.post("/graphql", {"query": query, "variables": {"first": first},
                                            "operationName": "ChildRoster"}, content_type="application/json")
        assert response.status_code == 200 and "errors" not in response.json()
        assert len(response.json()["data"]["children"]["edges"]) == first

    def page():
        for _ in range(runs):
            one()

    page()
    collector.settle()  # as a web worker runs (config/wsgi.py)
    cpu, collected = [], {"ms": 0.0, "runs": 0}

    def timed(phase, info):
        if phase == "start":
            collected["runs"] += 1
            collected["started"] = time.perf_counter()
        else:
            collected["ms"] += (time.perf_counter() - collected["started"]) * 1000

    gc.callbacks.append(timed)
    try:
        for _ in range(cpu_runs):
            started = time.process_time()
            one()
            cpu.append((time.process_time() - started) * 1000)
    finally:
        gc.callbacks.remove(timed)
    profile = cProfile.Profile()
    profile.runcall(page)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(15)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    root, prefix = str(common.ROOT) + "/", sys.prefix + "/lib/python3.11/site-packages/"
    total = next((line.strip() for line in lines if "function calls" in line), "")
    return {"total": total, "top": [line.replace(prefix, "").replace(root, "") for line in lines[start:] if line.strip()],
            "cpu_ms": statistics.median(cpu), "cpu_min_ms": min(cpu), "rows": first, "load": common.load(),
            "gc_ms": collected["ms"] / cpu_runs, "gc_runs": collected["runs"] / cpu_runs}


# --- scope resolution in-process --------------------------------------------------------------------------------------


def scope_in_process(username, runs=50):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from permissions import scope as scopes

    user = get_user_model().objects.get(username=username)

    def cold():
        scopes.bump_version()
        started = time.perf_counter()
        scopes.for_user(user)
        return time.perf_counter() - started

    def warm():
        started = time.perf_counter()
        scopes.for_user(user)
        return time.perf_counter() - started

    with CaptureQueriesContext(connection) as cold_q:
        scopes.bump_version()
        q0 = len(connection.queries_log)
        scopes.for_user(user)
    cold_queries = len(cold_q) - 1  # minus the bump's own UPDATE
    with CaptureQueriesContext(connection) as warm_q:
        scopes.for_user(user)
    for _ in range(3):
        cold(), warm()
    result = {"cold": {**stats([cold() for _ in range(runs)]), "queries": cold_queries},
              "warm": {**stats([warm() for _ in range(runs)]), "queries": len(warm_q)}}
    del q0
    cache.clear()
    return result


def measure_rollups(conn, province_path, n, warm):
    """Measure 1 over HTTP (RollupDashboard, RollupBreakdown by CHILD_ORGANIZATION for a YEAR), the raw SQL
    baseline for the same figures from the base tables, and a figure-by-figure comparison of the two."""
    province_id = conn.execute("SELECT id FROM orgs_organization WHERE path = %s", [province_path]).fetchone()[0]
    cities = dict(conn.execute("SELECT id, path FROM orgs_organization WHERE parent_id = %s AND archived_at IS NULL",
                               [province_id]).fetchall())
    viewer = Client(PORT).login("bench_province_rollup")
    variables = {"organizationId": global_id("Organization", province_id),
                 "period": {"kind": "YEAR", "year": ROLLUP_YEAR}}
    dashboard, breakdown = operation_text("rollups", "RollupDashboard"), operation_text("rollups", "RollupBreakdown")

    def dashboard_call():
        answer, info = viewer.graphql(dashboard, variables, "RollupDashboard")
        if answer["data"]["rollup"]["errors"]:
            raise RuntimeError(f"RollupDashboard: {answer['data']['rollup']['errors']}")
        return answer, info

    def breakdown_call():
        answer, info = viewer.graphql(breakdown, {**variables, "by": "CHILD_ORGANIZATION"}, "RollupBreakdown")
        if answer["data"]["rollupBreakdown"]["errors"]:
            raise RuntimeError(f"RollupBreakdown: {answer['data']['rollupBreakdown']['errors']}")
        return answer, info

    m1 = {}
    log(f"measure 1: RollupDashboard, province ROLLUP_VIEWER, YEAR {ROLLUP_YEAR} (load {common.load()})")
    m1["dashboard"] = sequential(dashboard_call, n, warm)
    log(f"measure 1: RollupBreakdown by CHILD_ORGANIZATION ({len(cities)} cities)")
    m1["drill-down"] = sequential(breakdown_call, n, warm)
    # the raw SQL floor: a GROUP BY per base table over the path range (slow at scale: fewer repetitions)
    raw_n, raw_warm = min(n, 10), min(warm, 2)
    log(f"measure 1: raw SQL baseline ({raw_n} runs each)")
    raw = {"dashboard": timed_raw(lambda: json.dumps(raw_rollup(conn, province_path), default=str), raw_n, raw_warm),
           "drill-down": timed_raw(lambda: json.dumps(raw_rollup(conn, province_path, grouped=True), default=str),
                                   raw_n, raw_warm)}
    m1["raw"] = raw
    # the same figures? (the Figure table is as of the refresh; nothing changes the data during the run)
    api = api_figures(m1["dashboard"]["answer"]["data"]["rollup"]["rollup"])
    floor = raw_rollup(conn, province_path).get("", {})
    diffs = differences(api, floor)
    by_city = raw_rollup(conn, province_path, grouped=True)
    for row in m1["drill-down"]["answer"]["data"]["rollupBreakdown"]["rows"]:
        path = cities[decode_id(row["key"])]
        diffs += differences(api_figures(row["rollup"]), by_city.get(path, {}), f"{row['name']}: ")
    m1["check"] = {"differences": diffs, "rows": len(m1["drill-down"]["answer"]["data"]["rollupBreakdown"]["rows"]),
                   "cities": len(cities), "figures": api, "uncounted": uncounted(api, floor)}
    if diffs:
        log(f"measure 1: API and raw SQL differ in {len(diffs)} figures, e.g. {diffs[:5]}")
    for m in (m1["dashboard"], m1["drill-down"]):
        m.pop("answer", None)
    return m1


# --- the run -----------------------------------------------------------------------------------------------------------


def run(args):
    common.setup_django(args.scale, args.seed)
    from django.conf import settings

    settings.DEBUG = False
    conn = pg()
    summary = generation(conn)
    actors = actor_paths(summary)
    county, township = actors["county"], actors["township"]
    load_before = common.load()
    results = {"load": {"start": load_before}, "summary": summary, "redis": os.environ["REDIS_URL"].rsplit("/", 1)[-1]}
    results["server"] = dict(zip(("workers", "threads"), gunicorn_model(gunicorn_env(args.scale, args.seed))))
    ids = dict(conn.execute("SELECT username, id FROM auth_user WHERE username = ANY(%s)",
                            [list(common.ACTORS)]).fetchall())
    import redis

    # (1) the refresh that the rollups read, before the server starts (it is part of the measured story)
    log("measure 1: rollups.services.refresh() in-process")
    results["refresh"] = refresh_rollups()
    log(f"  refresh: {results['refresh']['rows']:,} figures in {results['refresh']['seconds']:.1f} s "
        f"(load {results['refresh']['load_after']})")
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # DB 13: this benchmark's own cache
    gunicorn = pgl = None
    peers = []
    try:
        log("starting gunicorn (platform/gunicorn.conf.py, DEBUG=0, bench.settings)")
        gunicorn = start_gunicorn(args.scale, args.seed)
        roster = operation_text("children", "ChildRoster")
        board = operation_text("wishes", "WishBoard", CLAIMS)
        published = operation_text("wishes", "PublishedWishes")
        n, warm = args.requests, args.warmup

        def roster_call(client, first, order=None):
            return lambda: client.graphql(roster, {"first": first, "order": order}, "ChildRoster")

        viewer = Client(PORT).login("bench_county_viewer")
        staff = Client(PORT).login("bench_county_staff")
        town = Client(PORT).login("bench_township_staff")
        partner = Client(PORT, {"Authorization": f"Bearer {common.token_file(args.scale).read_text().strip()}"})

        # (1) the province rollup dashboard and its drill-down to the cities, as the province ROLLUP_VIEWER
        results["m1"] = measure_rollups(conn, actors["province"], n, warm)

        # (2) the county page, masked, three sizes; newest first; unmasked
        m2 = {}
        for first in (10, 50, 100):
            log(f"measure 2: ChildRoster first={first}, county VIEWER (masked)")
            m2[f"masked {first}"] = sequential(roster_call(viewer, first), n, warm)
        log("measure 2: newest first (order createdAt DESC), first=50")
        m2["masked 50, newest first"] = sequential(roster_call(viewer, 50, {"createdAt": "DESC"}), n, warm)
        log("measure 2: county STAFF (unmasked, PII reads audited), first=50")
        m2["unmasked 50 (staff)"] = sequential(roster_call(staff, 50), n, warm)
        answer = m2["masked 50"]["answer"]["data"]["children"]
        api_ids = [decode_id(e["node"]["id"]) for e in answer["edges"]]
        assert all("*" in e["node"]["idNumber"] for e in answer["edges"]), "the viewer's page must be masked"
        results["m2"] = m2

        # (3) the township's wish board with claims; the partner's published board
        log("measure 3: WishBoard + claims, township STAFF, first=50")
        m3 = {"township board 50": sequential(lambda: town.graphql(board, {"first": 50}, "WishBoard"), n, warm)}
        log("measure 3: PublishedWishes, partner token, first=50")
        m3["partner published 50"] = sequential(
            lambda: partner.graphql(published, {"first": 50}, "PublishedWishes"), min(n, 200), warm)
        wish_answer = m3["township board 50"]["answer"]["data"]["wishes"]
        results["m3"] = m3

        # (4) page (2) at 8 concurrent clients
        log(f"measure 4: ChildRoster first=50 masked, {args.clients} clients, {args.seconds} s")

        def make_viewer_call():
            client = Client(PORT)
            client.cookies = dict(viewer.cookies)
            return roster_call(client, 50)

        results["m4"] = concurrent(make_viewer_call, args.clients, args.seconds)

        # (5) scope resolution: cold (version bumped before each request) vs warm, over HTTP
        log("measure 5: scope resolution over HTTP, cold and warm (ChildRoster first=10)")
        from permissions.scope import bump_version  # the row and its cached copy (DB 13), as a grant change does
        cold_seconds, cold_queries, cold_server, cold_load = [], set(), [], common.load()
        call = roster_call(viewer, 10)
        for i in range(warm + n):
            bump_version()
            _, info = call()
            if i >= warm:
                cold_seconds.append(info["seconds"])
                cold_queries.add(info["queries"])
                cold_server.append(info["server_ms"])
        results["m5"] = {"http cold": {**stats(cold_seconds), "queries": sorted(cold_queries),
                                       "load": [cold_load, common.load()],
                                       "server_ms": statistics.median(cold_server)},
                         "http warm": {k: v for k, v in sequential(call, n, warm).items() if k != "answer"}}
        log("measure 5: permissions.scope.for_user in-process")
        results["m5"]["in-process"] = scope_in_process("bench_county_viewer")

        # raw SQL baselines (same process as the client: no HTTP, no GraphQL)
        log("raw SQL baselines")
        raw = {}
        for first in (10, 50, 100):
            raw[f"masked {first}"] = timed_raw(lambda: raw_children_page(conn, county, first), n, warm)
        raw["masked 50, newest first"] = timed_raw(
            lambda: raw_children_page(conn, county, 50, "c.created_at DESC"), n, warm)
        raw["unmasked 50 (staff)"] = timed_raw(lambda: raw_children_page(
            conn, county, 50, pii=True, audit=(ids["bench_county_staff"], "bench_county_staff")), n, warm)
        raw["township board 50"] = timed_raw(lambda: raw_wish_board(
            conn, township, 50, (ids["bench_township_staff"], "bench_township_staff")), n, warm)
        raw_answer = json.loads(raw_children_page(conn, county, 50))["data"]["children"]
        raw_ids = [decode_id(e["node"]["id"]) for e in raw_answer["edges"]]
        assert raw_ids == api_ids and raw_answer["totalCount"] == answer["totalCount"], "raw page differs from the API's"
        raw_board = json.loads(raw_wish_board(conn, township, 50, (ids["bench_township_staff"], "x")))["data"]["wishes"]
        assert [e["node"]["id"] for e in raw_board["edges"]] == [e["node"]["id"] for e in wish_answer["edges"]], \
            "raw wish board differs from the API's"
        results["raw"] = raw

        # the PostGraphile peers, one after the other
        if not args.no_postgraphile:
            log("PostGraphile peers: RLS policies (bench/postgraphile/setup.sql)")
            setup_postgraphile_database(conn)
            for key, (name, port, _, _) in PEERS.items():
                pgl = start_postgraphile(args.scale, key)
                peer = {}
                for first in (10, 50, 100):
                    peer[f"masked {first}"] = sequential(pgl_call(Client(port), county, first), n, warm)
                page = peer["masked 50"]["answer"]["data"]["allChildrenChildren"]
                assert [int(x["id"]) for x in page["nodes"]] == api_ids, f"{name}'s page differs from the API's"
                assert page["totalCount"] == answer["totalCount"]
                results[key] = peer
                log(f"{name}: {args.clients} clients, {args.seconds} s")
                results[f"{key}_c8"] = concurrent(lambda: pgl_call(Client(port), county, 50), args.clients, args.seconds)
                stop(pgl)
                pgl = None
            log("interleaved: ours, PostGraphile 4 and 5 in turn, masked pages of 10, 50 and 100 rows")
            for key in PEERS:
                peers.append(start_postgraphile(args.scale, key))  # one by one: a peer that fails stops those up
            results["paired"] = {str(first): interleaved(
                {"ours": roster_call(viewer, first),
                 **{key: pgl_call(Client(port), county, first) for key, (_, port, _, _) in PEERS.items()}}, n, warm)
                for first in (10, 50, 100)}
            seconds = max(1.0, args.seconds / 2)
            log(f"interleaved at {args.clients} clients: ours, PostGraphile 4 and 5 in turn, 3 rounds of {seconds:g} s")
            results["paired_c8"] = alternating(
                {"ours": make_viewer_call,
                 **{key: (lambda port=port: pgl_call(Client(port), county, 50)) for key, (_, port, _, _) in PEERS.items()}},
                args.clients, seconds, rounds=3,
                servers={"ours": gunicorn.pid, **{key: peer.pid for key, peer in zip(PEERS, peers)}})
    finally:
        for proc in (pgl, *peers):
            stop(proc)
        stop(gunicorn)

    # plans of the newest-first page (server stopped: no traffic while ANALYZE resamples)
    if args.plan_samples:
        log(f"newest-first page plans over {args.plan_samples} fresh ANALYZE samples (and the proposed fix)")
        sqls = {"county": captured_page_sql("bench_county_viewer", {"createdAt": "DESC"}, 50),
                "township": captured_page_sql("bench_township_staff", {"createdAt": "DESC"}, 50)}
        results["plans"] = newest_first_plans(conn, {"county": county, "township": township}, sqls,
                                              args.plan_samples)
        log("wish board plans")
        results["board_plans"] = wish_board_plans(conn, captured_board_sql("bench_township_staff"), township,
                                                  args.plan_samples)
        log("default-order page plans")
        log("every list page's plans")
        results["list_plans"] = list_page_plans(conn, args.plan_samples, partner_token(args.scale))
        results["default_plans"] = default_order_plans(conn, {
            "county": captured_page_sql("bench_county_viewer", None, 50),
            "township": captured_page_sql("bench_township_staff", None, 50)}, args.plan_samples)
    log("profiling the 50-row page in-process")
    results["profile"] = profile_page("bench_county_viewer")
    results["load"]["end"] = common.load()
    results["measured"] = f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    results["counts"] = dict(zip(("children in the county", "wishes in the township"), (
        answer["totalCount"], wish_answer["totalCount"])))
    results["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
    results["shared_buffers"] = conn.execute("SHOW shared_buffers").fetchone()[0]
    results["sizes"] = dict(conn.execute(
        "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relname = ANY(%s)",
        [["children_child", "children_guardian", "wishes_wish", "wishes_claim", "orgs_organization",
          "programs_volunteer", "programs_servicerecord", "programs_pairing", "rollups_figure"]]).fetchall())
    return results


# --- report -----------------------------------------------------------------------------------------------------------


def fmt_q(queries):
    return "/".join(str(q) for q in queries)


def load_span(measure):
    """The 1-minute load average at the start and the end of a measure, e.g. '3.45 → 2.90'."""
    start, end = measure["load"]
    return f"{start.split()[0]} → {end.split()[0]}"


HEADLINE = ("| measure | actor | p50 ms | p95 ms | req/s | SQL/request | raw SQL p50 ms | API / raw | "
            "PostGraphile p50 ms | ours / PostGraphile | load (1 min) |")


def headline_table(args, r):
    """The run's table, one row per measure (its load average at the start and end of the measure)."""
    m2, m3, raw, pgl = r["m2"], r["m3"], r["raw"], r.get("pgl", {})
    lines = [HEADLINE, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]

    def row(label, actor, m, raw_m=None, peer=None):
        ratio = (f"{m['p50'] / raw_m['p50']:.1f}×" if m["p50"] >= 0.1 * raw_m["p50"] else
                 f"{m['p50'] / raw_m['p50']:.2f}×") if raw_m else ""
        raw_cells = f"{raw_m['p50']:.1f} | {ratio}" if raw_m else " | "
        peer_cells = f"{peer['p50']:.1f} | {m['p50'] / peer['p50']:.2f}×" if peer else " | "
        lines.append(f"| {label} | {actor} | {m['p50']:.1f} | {m['p95']:.1f} | | {fmt_q(m['queries'])} | "
                     f"{raw_cells} | {peer_cells} | {load_span(m)} |")

    m1 = r.get("m1")
    if m1:
        row(f"1 province rollup dashboard ({ROLLUP_YEAR})", "province ROLLUP_VIEWER", m1["dashboard"], m1["raw"]["dashboard"])
        row(f"1 drill-down to the {m1['check']['cities']} {'city' if m1['check']['cities'] == 1 else 'cities'}",
            "province ROLLUP_VIEWER", m1["drill-down"], m1["raw"]["drill-down"])
    else:
        lines.append("| 1 province rollup dashboard | province ROLLUP_VIEWER | not measured in this run | | | | | | | | |")
    for first in (10, 50, 100):
        row(f"2 children page, {first} rows", "county VIEWER (masked)", m2[f"masked {first}"], raw[f"masked {first}"],
            pgl.get(f"masked {first}"))
    row("2 children page, 50 rows, newest first", "county VIEWER (masked)", m2["masked 50, newest first"],
        raw["masked 50, newest first"])
    row("2 children page, 50 rows, unmasked", "county STAFF (PII reads audited)", m2["unmasked 50 (staff)"],
        raw["unmasked 50 (staff)"])
    row("3 wish board with claims, 50 rows", "township STAFF", m3["township board 50"], raw["township board 50"])
    row("3 published board, 50 rows", "partner API token", m3["partner published 50"])
    m4 = r["m4"]
    peer4 = r.get("pgl_c8")
    lines.append(f"| 4 children page 50 rows, {args.clients} clients | county VIEWER (masked) | {m4['p50']:.1f} | "
                 f"{m4['p95']:.1f} | **{m4['rps']:.0f}** | {fmt_q(m2['masked 50']['queries'])} | | | "
                 + (f"{peer4['p50']:.1f} ({peer4['rps']:.0f} req/s) | {m4['rps'] / peer4['rps']:.2f}× (req/s) |"
                    if peer4 else " | |") + f" {load_span(m4)} |")
    m5 = r["m5"]
    row("5 scope cold (version bumped before each request), page of 10", "county VIEWER", m5["http cold"])
    row("5 scope warm, page of 10", "county VIEWER", m5["http warm"])
    return lines


# --- before and after: the figures the doc held for this scale beside the new ones ---------------------------------

# the headline table's columns set side by side (a before/after column names its "before" twin "before <name>")
COMPARED = ("p50 ms", "req/s", "SQL/request", "PostGraphile p50 ms", "ours / PostGraphile")
BEFORE = "before "


def table_cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def recorded_figures(block, prefix=""):
    """The figures a block records: with ``prefix`` "", its run's (the headline table, the "Measured …" line);
    with BEFORE, the before it was set against (the before/after table, the "Before: measured …" line). None if
    the block has no such figures. Read by the columns' names, so a table with more columns reads the same."""
    lead = "Measured " if not prefix else "Before: measured "
    when = re.search(rf"^{re.escape(lead)}(.+?)(?: on \d+ cores[^;]*)?; load average ([\d. ]+?) at the start, "
                     rf"([\d. ]+?) at the end", block, re.M)
    lines = block.splitlines()
    header = next((i for i, line in enumerate(lines)
                   if line.startswith("| measure |") and f"| {prefix}p50 ms |" in line), None)
    if when is None or header is None:
        return None
    names, rows = table_cells(lines[header]), {}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = dict(zip(names, table_cells(line)))
        rows[cells["measure"]] = {name: cells.get(prefix + name, "").strip("*") for name in COMPARED}
    return {"measured": when.group(1), "load": [when.group(2), when.group(3)], "rows": rows}


def recorded_before(scale, rebase=False):
    """The before of a new run of ``scale``: the before the doc's block was already set against (a baseline is
    kept across re-runs), or, with ``rebase`` or none yet, the block's own figures; None without a block."""
    block = common.scale_blocks(SECTION).get(scale)
    if block is None:
        return None
    return (None if rebase else recorded_figures(block, BEFORE)) or recorded_figures(block)


def change(before, after):
    """after / before of two p50 cells, '' when either is missing."""
    try:
        return f"{float(after) / float(before):.2f}×"
    except (ValueError, ZeroDivisionError):
        return ""


def before_after(before, block):
    """The before/after table: each measure of ``block`` (the headline table just rendered) beside ``before``."""
    if not before:
        return ["No earlier figures for this scale in docs/benchmarks.md: no before/after."]
    after = recorded_figures(block)
    header = ["measure"]
    for name in COMPARED:
        header += [BEFORE + name, name] + (["after / before"] if name == "p50 ms" else [])
    lines = [f"Before: measured {before['measured']}; load average {before['load'][0]} at the "
             f"start, {before['load'][1]} at the end. The figures this scale's block held before this run, kept as "
             "the baseline when the run is repeated (`--rebase-before` sets it to the block's last run). Milliseconds "
             "follow the load; the ratios to PostGraphile in the same run, and the SQL counts, much less.", "",
             "| " + " | ".join(header) + " |", "|---|" + "--:|" * (len(header) - 1)]
    for label, now in after["rows"].items():
        was = before["rows"].get(label, {})
        cells = [label]
        for name in COMPARED:
            cells += [was.get(name, "—"), now[name]]
            if name == "p50 ms":
                cells.append(change(was.get(name, ""), now[name]))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(args, r):
    info = common.machine()
    s = r["summary"]
    m2, m3, pgl = r["m2"], r["m3"], r.get("pgl", {})
    gen_line = (f"Generated by `python -m bench.generate --scale {s['scale']} --seed {s['seed']}` in "
                f"{s['seconds']:.0f} s (load {s['load']} at the end; "
                + ", ".join(f"{k} {v:.0f} s" for k, v in s["timings"].items()) + ").")
    lines = [
        f"{common.BLOCK}{s['scale']}", "",
        f"Measured {r['measured']} on {info['nproc']} cores ({info['cpu']}), "
        f"{info['memory']} RAM, PostgreSQL {r['postgres']} (shared_buffers {r['shared_buffers']}); load average "
        f"{r['load']['start']} at the start, {r['load']['end']} at the end. The machine is shared with other "
        "work: figures are rough, ratios are the point.",
        f"Scale **{s['scale']}** (seed {s['seed']}): {s['organizations']:,} organizations (league and women's "
        f"federation trees of the same shape, {s['units']:,} units), {s['children']:,} children with "
        f"{s['guardians']:,} guardians (ID number, address and phones encrypted by the model fields, "
        f"blind index), {s['wishes']:,} wishes in all {len(s['wish_states'])} states with {s['claims']:,} claims; "
        + (("programs: " + ", ".join(f"{k.removeprefix('programs_')} {v:,}" for k, v in s["programs"].items()))
           if s.get("programs") else "programs not generated") + ". Tables: "
        + ", ".join(f"{k} {v}" for k, v in sorted(r["sizes"].items())) + ".",
        gen_line,
        f"The county actor sees {r['counts']['children in the county']:,} children; the township's board has "
        f"{r['counts']['wishes in the township']:,} wishes.",
        "",
        "Server: `gunicorn -c platform/gunicorn.conf.py --max-requests 0 config.wsgi` (gthread, "
        f"{r['server']['workers']} workers × {r['server']['threads']} threads), DEBUG=0, secrets from the environment, "
        f"Redis DB {r['redis']} as the cache, `bench.settings` (production settings + a middleware that counts each request's SQL queries "
        "server-side, one per round trip). Client: Python `http.client`, keep-alive, session login with CSRF like the web client, "
        "the web client's operations from `frontend_schema/operations/`. Sequential measures: "
        f"{args.requests} requests after {args.warmup} warm-up requests; raw SQL: the same statements through "
        "psycopg in the client process, with the same decryption, masking, audit rows and JSON, no HTTP.",
        "",
        "Reproduce:", "", "```sh", f"make bench-data SCALE={s['scale']}   # python -m bench.generate --scale {s['scale']}",
        f"make bench SCALE={s['scale']}        # python -m bench.run --scale {s['scale']}", "```", "",
    ]
    lines += headline_table(args, r)
    lines += ["", *before_after(r.get("before"), "\n".join(lines))]
    m5 = r["m5"]
    ip = m5["in-process"]
    lines += [
        "",
        f"Scope resolution per request: cold − warm over HTTP = {m5['http cold']['p50'] - m5['http warm']['p50']:.1f} ms "
        + (f"p50 at the client, {m5['http cold']['server_ms'] - m5['http warm']['server_ms']:.1f} ms in the server "
           f"(medians of X-Bench-Server-Ms: {m5['http cold']['server_ms']:.1f} cold, "
           f"{m5['http warm']['server_ms']:.1f} warm)" if "server_ms" in m5["http cold"] else "p50")
        + f" and {fmt_q(m5['http cold']['queries'])} vs {fmt_q(m5['http warm']['queries'])} SQL statements; "
        f"in-process `permissions.scope.for_user`: cold {ip['cold']['p50']:.2f} ms p50 / {ip['cold']['p95']:.2f} "
        f"p95 ({ip['cold']['queries']} queries), warm {ip['warm']['p50']:.2f} ms / {ip['warm']['p95']:.2f} "
        f"({ip['warm']['queries']} query: the scope version; the scope itself comes from Redis).",
        "",
        "Response sizes: " + ", ".join(f"{k} {v['bytes'] / 1024:.1f} KiB" for k, v in {**m2, **m3}.items()) + ".",
    ]
    if pgl:
        lines += [
            "",
            "PostGraphile peer (bench/postgraphile/: postgraphile 4.14.1 on Node, `server.js`, RLS policies in "
            "`setup.sql`): the same table rows, same order (org_path, name, id), `totalCount`, the organization "
            "and the guardians, as role `bench_prov_app` under the policy `org_path ~>=~ scope AND org_path ~<~ "
            "scope || '~'` on children, guardians (through their child) and organizations, the scope prefix sent "
            "as `X-Scope-Paths` (see /work/shared/notes/postgraphile-peer.md). It does less than our API: no "
            "session or scope look-up (the client sends the prefix), names masked by a SQL function, ID numbers "
            "and phones returned as stored ciphertext (it cannot decrypt them), no GraphQL global IDs. Its SQL "
            "per request: one statement (plus the transaction and set_config), not counted here.",
        ]
    if r.get("pgl5"):
        lines += ["", *peer_versions_text(r, args.clients)]
    if r.get("m1"):
        lines += ["", *rollup_text(r)]
    if r.get("list_plans"):
        lines += ["", LIST_PLANS, "",
                  *list_plans_table(r["list_plans"], args.plan_samples)]
    if r.get("default_plans"):
        lines += ["", "#### The children page in its default order (org_path, name, id): plans", "",
                  f"The API's statement (the `id IN (…)` page with its count subquery, as captured from the view), EXPLAIN ANALYZE "
                  f"after each of {args.plan_samples} fresh ANALYZE samples:", "",
                  "| actor | plans (scans on children_child) | median / max ms | rows removed by filter (max) "
                  "| proposal: `ORDER BY org_path COLLATE \"C\"` (not applied) |",
                  "|---|---|--:|--:|---|"]
        for label, p in r["default_plans"].items():
            c = p.get("collate_c")
            lines.append(f"| {label} | {', '.join(f'{k} {v}×' for k, v in p['kinds'].items())} | {p['ms']:.1f} / "
                         f"{p['max_ms']:.1f} | {p['removed']:,} |"
                         + (f" {c['kind']}: {c['ms']:.1f} ms, {c['removed']:,} rows removed |" if c else " |"))
        lines += ["", "County (last sample):", "", "```", *r["default_plans"]["county"]["plan"], "```"]
    if r.get("board_plans"):
        b = r["board_plans"]
        lines += ["", "#### The township's wish board (newest first): plans", "",
                  f"The API's statement, EXPLAIN ANALYZE after each of {args.plan_samples} fresh ANALYZE samples; then "
                  "with the covering index `wishes_wish (org_path varchar_pattern_ops, created_at, id)` (created for "
                  "the check, dropped afterwards) and the page read as `id IN (SELECT id … ORDER BY created_at DESC, "
                  "id DESC LIMIT 51)`, the count as its own statement:", "",
                  "| shape | plans (scans on wishes_wish) | median / max ms | rows removed by filter (max) |",
                  "|---|---|--:|--:|"]
        for label, key in (("today (the API's statement)", "today"), ("index + id IN (…)", "fixed")):
            p = b[key]
            lines.append(f"| {label} | {', '.join(f'{k} {v}×' for k, v in p['kinds'].items())} | {p['ms']:.1f} / "
                         f"{p['max_ms']:.1f} | {p['removed']:,} |")
        lines += [f"| count(*) with the existing `_like` index | | {b['count_ms']:.1f} | |", "",
                  "Today (last sample):", "", "```", *b["today"]["plan"], "```"]
    if r.get("plans"):
        lines += ["", "#### Newest-first children page: plan stability", "",
                  f"The API's newest-first page (`order: {{createdAt: DESC}}`, the `id IN (…)` page with its "
                  f"count subquery), EXPLAIN ANALYZE after each of {args.plan_samples} fresh ANALYZE samples; "
                  "then, with the covering index `(org_path varchar_pattern_ops, created_at, id)` created for the "
                  "check and dropped afterwards, the `id IN (subquery)` page shape (the count as its own "
                  "statement):", "",
                  "| actor | today: plans | today: median / max ms | with index: API statement | with index + id IN (…): plans | median / max ms | + count ms |",
                  "|---|---|--:|--:|---|--:|--:|"]
        for label, p in r["plans"].items():
            f = p["fixed"]
            lines.append(f"| {label} | {', '.join(f'{k} {v}' for k, v in p['kinds'].items())} | {p['ms']:.1f} / "
                         f"{p['max_ms']:.1f} | {f['api_with_index_ms']:.1f} ({f['api_with_index_kind']}) | "
                         f"{', '.join(f'{k} {v}' for k, v in f['kinds'].items())} | {f['ms']:.1f} / {f['max_ms']:.1f} | "
                         f"{f['count_ms']:.1f} |")
        county_plan = r["plans"]["county"]
        lines += ["", "County, today's plan (last sample):", "", "```", *county_plan["plan"], "```", "",
                  "County, with the index and the `id IN (subquery)` shape:", "", "```", *county_plan["fixed"]["plan"],
                  "```"]
    profile = r["profile"]
    total, top = (profile["total"], profile["top"]) if isinstance(profile, dict) else profile  # older results
    lines += ["", "#### Where the time goes (cProfile, 5 × the 50-row masked page in-process)", "",
              "Server-side medians from the response headers: "
              + ", ".join(f"{k}: {v['server_ms']:.1f} ms in the server of which {v['sql_ms']:.1f} ms in SQL"
                          for k, v in {**m2, **m3}.items()) + ".", "",
              *([cpu_line(profile), ""] if isinstance(profile, dict) else []),
              f"{total}; top 15 by own time:", "", "```", *top, "```"]
    lines += ["", "#### Findings", "", *findings(args, r)]
    return "\n".join(lines) + "\n"


def rollup_text(r):
    """Measure 1's paragraph: the refresh, the two requests, the raw floor and the figure check."""
    m1, f = r["m1"], r["refresh"]
    figures, check = m1["check"]["figures"], m1["check"]
    wishes = figures["wishes"]
    raw = m1["raw"]
    out = [
        "#### Measure 1: the province rollup dashboard", "",
        f"Refresh first (`rollups.services.refresh()` in-process, as the periodic job runs it, before the server "
        f"starts): **{f['rows']:,} Figure rows in {f['seconds']:.1f} s** (RefreshRun says {f['run_seconds']:.1f} s; "
        f"peak memory of the process {f['max_rss_mib']:,.0f} MiB, {f['rss_before_mib']:,.0f} MiB before; load "
        f"{f['load_before']} before, {f['load_after']} after).",
        "",
        f"Then over HTTP as `bench_province_rollup` (ROLLUP_VIEWER at the league province committee), the web "
        f"client's `RollupDashboard` and `RollupBreakdown(by: CHILD_ORGANIZATION)` from "
        f"`frontend_schema/operations/rollups.graphql`, period YEAR {ROLLUP_YEAR}: dashboard p50 "
        f"{m1['dashboard']['p50']:.1f} ms / p95 {m1['dashboard']['p95']:.1f} ms, {fmt_q(m1['dashboard']['queries'])} "
        f"SQL statements, {m1['dashboard']['server_ms']:.1f} ms in the server of which {m1['dashboard']['sql_ms']:.1f} ms "
        f"in SQL (load {load_span(m1['dashboard'])}); drill-down to {check['rows']} "
        f"{'city' if check['rows'] == 1 else 'cities'} p50 "
        f"{m1['drill-down']['p50']:.1f} ms / p95 {m1['drill-down']['p95']:.1f} ms, "
        f"{fmt_q(m1['drill-down']['queries'])} SQL statements, {m1['drill-down']['server_ms']:.1f} ms in the server "
        f"of which {m1['drill-down']['sql_ms']:.1f} ms in SQL (load {load_span(m1['drill-down'])}).",
        "",
        f"Raw SQL floor (psycopg, no HTTP): the same figures straight from the base tables, one `GROUP BY` per table "
        f"(wishes by event month, active children by category and arrangement, sites with their children, "
        f"volunteers and staff, service points and confirmed hours, pairings, activities) over the subtree's path "
        f"range, grouped by the next path step for the drill-down; never the Figure table. "
        f"{raw['dashboard']['n']} runs: dashboard p50 {raw['dashboard']['p50']:.1f} ms (load {load_span(raw['dashboard'])}), "
        f"drill-down {raw['drill-down']['p50']:.1f} ms (load {load_span(raw['drill-down'])}). API / raw: "
        f"{m1['dashboard']['p50'] / raw['dashboard']['p50']:.2f}× and "
        f"{m1['drill-down']['p50'] / raw['drill-down']['p50']:.2f}× — the API reads precomputed figures, the floor "
        "counts rows, so the ratio says what the refresh buys.",
        "",
        f"Figures ({ROLLUP_YEAR}, league province subtree): {figures['children']['total']:,} children in care, wishes "
        f"collected {wishes['collected']:,}, fulfilled {wishes['fulfilled']:,} (圆梦率 {wishes['fulfilmentRate']}), "
        f"{figures['happyHomes']['sites']:,} sites, {figures['volunteersRegistered']:,} volunteers, "
        f"{figures['pairings']['active']:,} active pairings, {figures['activities']:,} activities. "
        + ("Every figure of the dashboard and of each city row that the raw SQL counts equals it."
           if not check["differences"] else
           f"**{len(check['differences'])} figures differ between the API and the raw SQL count**: "
           + "; ".join(check["differences"][:12]) + ("; …" if len(check["differences"]) > 12 else "") + ".")
        + (f" Not counted by the raw SQL, so not cross-checked: {', '.join(check['uncounted'])}."
           if check.get("uncounted") else ""),
    ]
    return out


def findings(args, r):
    m2, raw = r["m2"], r["raw"]
    out = []
    sizes = {k: m2[f"masked {k}"]["queries"] for k in (10, 50, 100)}
    flat = len({tuple(v) for v in sizes.values()}) == 1
    out.append(f"- Query count per page: {', '.join(f'{k} rows: {fmt_q(v)}' for k, v in sizes.items())} — "
               + ("constant in the page size" if flat else "**grows with the page size**")
               + " (queries sent, each one round trip: the page with its organizations and the count, and the "
               "guardians by the page's window, two statements sent together in one snapshot; each query carries the "
               "read's time bound; the session, user and scope come from the cache). Target ≤ 6: " + ("met." if max(max(v) for v in sizes.values()) <= 6 else "**missed**."))
    p50 = m2["masked 50"]["p50"]
    out.append(f"- 50-row page p50 {p50:.1f} ms against the target ≤ 40 ms: " + ("met" if p50 <= 40 else "**missed**")
               + f" at {r['summary']['scale']} scale; {p50 / raw['masked 50']['p50']:.1f}× the hand-written floor.")
    if r.get("paired"):
        ratios = {first: m["pgl"]["ratio"] for first, m in r["paired"].items()}
        out.append("- Masked page p50, ours / PostGraphile 4 interleaved: "
                   + ", ".join(f"{first} rows {ratio:.2f}×" for first, ratio in ratios.items())
                   + " (PostGraphile 5: " + ", ".join(f"{first} rows {m['pgl5']['ratio']:.2f}×"
                                                     for first, m in r["paired"].items())
                   + "); target ≤ 1.5×: " + ("met." if max(ratios.values()) <= 1.5 else "**missed**."))
    if r.get("paired_c8"):
        c8 = r["paired_c8"]
        out.append(f"- Throughput at {args.clients} clients, interleaved ({c8['rounds']} rounds): {c8['ours']['rps']:.0f} "
                   f"req/s against PostGraphile 4's {c8['pgl']['rps']:.0f}, ours / v4 {c8['pgl']['ratio']:.2f}× "
                   f"(PostGraphile 5 {c8['pgl5']['ratio']:.2f}×); target ≥ PostGraphile: "
                   + ("met." if c8["pgl"]["ratio"] >= 1 else "**missed**."))
    elif r.get("pgl_c8"):
        ours, theirs = r["m4"]["rps"], r["pgl_c8"]["rps"]
        out.append(f"- Throughput at {args.clients} clients: {ours:.0f} req/s against PostGraphile's {theirs:.0f} "
                   f"({ours / theirs:.2f}×); target ≥ PostGraphile: " + ("met." if ours >= theirs else "**missed**."))
    staff, viewer = m2["unmasked 50 (staff)"]["p50"], m2["masked 50"]["p50"]
    out.append(f"- Unmasked page (staff) {staff:.1f} ms vs masked {viewer:.1f} ms: the difference is the PII audit "
               "(one bulk INSERT of 50 audit rows per request) and the decryption of unmasked values.")
    if r.get("plans"):
        for label, p in r["plans"].items():
            f = p["fixed"]
            out.append(f"- Newest first, {label}: today {', '.join(f'{k} {v}×' for k, v in p['kinds'].items())} "
                       f"(median {p['ms']:.1f} ms); with the covering index and the `id IN (subquery)` shape "
                       f"{', '.join(f'{k} {v}×' for k, v in f['kinds'].items())} (median {f['ms']:.1f} ms + count "
                       f"{f['count_ms']:.1f} ms). The API's own statement with the index: {f['api_with_index_ms']:.1f} ms.")
    if r.get("board_plans"):
        b = r["board_plans"]
        if b["today"]["removed"] > 10_000:
            out.append(f"- **Wish board: the scope is not an index range.** The newest-first board walks the "
                       f"`created_at` index backwards and filters on `org_path` ({b['today']['removed']:,} rows removed, "
                       f"median {b['today']['ms']:.1f} ms). With the "
                       f"covering index and the `id IN (subquery)` shape: {b['fixed']['ms']:.1f} ms + count "
                       f"{b['count_ms']:.1f} ms.")
    for label, p in r.get("default_plans", {}).items():
        if p["removed"] > 10_000:
            out.append(f"- **Default-order page, {label}: the scope is not an index range.** The planner walks the "
                       "plain `org_path` btree index (the one that gives `ORDER BY org_path` for free) and applies "
                       f"`org_path LIKE 'prefix%'` as a filter: up to {p['removed']:,} rows removed per page "
                       f"(median {p['ms']:.1f} ms). Under a non-C collation that index cannot serve the LIKE as a "
                       "range, and the `varchar_pattern_ops` index that can does not give the order. This cost grows "
                       "with the whole table, not with the actor's scope.")
    if r.get("m1"):
        m1, f = r["m1"], r["refresh"]
        p50, raw_p50 = m1["dashboard"]["p50"], m1["raw"]["dashboard"]["p50"]
        scale = r["summary"]["scale"]
        out.append(f"- Rollup dashboard p50 {p50:.1f} ms against the target ≤ 30 ms: "
                   + ("met" if p50 <= 30 else "**missed**") + f" at {scale} scale; {p50 / raw_p50:.2f}× the raw SQL "
                   "count (target ≤ 3×: " + ("met" if p50 <= 3 * raw_p50 else "**missed**") + f"); drill-down p50 "
                   f"{m1['drill-down']['p50']:.1f} ms with {fmt_q(m1['drill-down']['queries'])} SQL statements for "
                   f"{m1['check']['rows']} rows (one figures query whatever the number of children).")
        orgs = r["summary"]["organizations"]
        out.append(f"- The figures are as fresh as the last refresh: {f['rows']:,} Figure rows ({f['rows'] / orgs:.0f} per "
                   f"organization) in {f['seconds']:.1f} s at {scale} scale, peak memory {f['max_rss_mib']:,.0f} MiB "
                   "(the full rebuild: own figures in SQL, subtree sums level by level into a new table swapped in; "
                   "between rebuilds the fold applies changes every 30 s, and the API says `computedAt`). Most rows are monthly wish-event figures of villages (one row per "
                   "organization, month and metric, own and subtree); the read side does not need them below the "
                   "level anyone drills to, and the refresh grows with organizations × months, not with the rows.")
    else:
        out.append("- Measure 1 (province rollup dashboard) was not measured in this run.")
    m4 = r["m4"]
    share = m2["masked 50"]["sql_ms"] / m2["masked 50"]["server_ms"]
    out.append(f"- Where the time goes: {'Python more than SQL' if share < 0.4 else 'SQL and Python about evenly'} — "
               f"the 50-row page spends {m2['masked 50']['server_ms']:.0f} ms "
               f"in the server of which {m2['masked 50']['sql_ms']:.0f} ms in SQL (server-side medians); the Python "
               "part, per the profile above, is mostly fixed per request (Django's SQL compilation, session and scope, "
               "strawberry's hooks), and per row the decryption that masking needs and building the rows; their ~1,000 "
               "fields are completed in one pass (graphql_api/fastpath.py), not one by one. "
               f"At {args.clients} clients the workers are CPU-bound ({m4['rps']:.0f} req/s on {common.machine()['nproc']} "
               "shared cores).")
    return out


INTRO = """Each scale's block below is rewritten by `python -m bench.run --scale <scale>` (`make bench SCALE=…`); edit
bench/run.py, not the figures. The data set comes from `python -m bench.generate --scale <scale>` (`make bench-data`):
province = 2 trees × (1 province, 14 cities, 100 counties, 1,200 townships, 25,000 villages), 2,000 units,
1,000,000 children, 2,000,000 wishes; city = 1/14 of it, county = 1/100. The measures are HTTP through gunicorn
with the production settings; the actors are the generator's sample users. Targets (issue 9): province dashboard
p50 ≤ 30 ms and ≤ 3× raw SQL; the 50-row page p50 ≤ 40 ms with ≤ 6 SQL queries at every page size; throughput at
8 clients ≥ PostGraphile's. Programs (happy-home sites, volunteers, service records, pairings, activities) are
generated at the issue's proportions (province: 3,000 sites, 200,000 volunteers, 400,000 service records, 100,000
pairings, 60,000 activities); measure 1 refreshes the rollups before it reads them.
"""


def write_doc(scale, block):
    common.write_scale_block(SECTION, [INTRO, *generation_table()], scale, block)


def generation_table():
    """Generation times of each scale: from var/bench/generation-<scale>.json where this checkout generated it,
    else the row the doc already shows (a run in another checkout keeps the other scales' rows)."""
    text = common.DOC.read_text() if common.DOC.exists() else ""
    shown = text.split(SECTION, 1)[-1].split(common.BLOCK, 1)[0] if SECTION in text else ""
    province = common.SCALES["province"]
    rows, extrapolated = [], []
    for scale in common.SCALE_ORDER[:-1]:  # not tiny
        path = LOGS / f"generation-{scale}.json"
        if not path.exists():
            rows += re.findall(rf"^\| {scale} \| .*$", shown, re.M)
            extrapolated += re.findall(rf"from {scale}: [\d.]+ min", shown)
            continue
        g = json.loads(path.read_text())
        programs = sum(g.get("programs", {}).values())
        rows.append(f"| {scale} | {g['organizations']:,} | {g['children']:,} | {g['guardians']:,} | {g['wishes']:,} | "
                    f"{g['claims']:,} | {programs:,} | {g['seconds']:.0f} s ({g['timings'].get('programs', 0):.0f} s) | "
                    f"{g['load']} | {g['finished']} |")
        if scale != "province":
            load_seconds = g["seconds"] - g["timings"].get("migrate", 0)
            factor = province["children"] / g["children"]
            extrapolated.append(f"from {scale}: {load_seconds * factor / 60:.1f} min")
    if not rows:
        return []
    return ["Data set generation (`python -m bench.generate`, COPY, 2 encrypting processes; load average = 1/5/15 "
            "min at the end):", "",
            "| scale | organizations | children | guardians | wishes | claims | program rows | time (of which programs) | load | finished |",
            "|---|--:|--:|--:|--:|--:|--:|--:|---|---|", *rows, "",
            "Province extrapolated linearly from the smaller scales (all but migrate × the children ratio): "
            + ", ".join(extrapolated) + "; target ≤ 15 min.", ""]


def results_file(scale):
    return LOGS / f"results-{scale}.json"


def cpu_line(profile):
    return (f"Server CPU per {profile['rows']}-row masked page (in-process, process time per request): median "
            f"{profile['cpu_ms']:.1f} ms, least {profile['cpu_min_ms']:.1f} ms (target at most 25 ms; load "
            f"{profile['load']})" + (f"; the cycle collector ran {profile['gc_runs']:.2f} times per page, "
                                     f"{profile['gc_ms']:.2f} ms" if "gc_ms" in profile else "") + ".")


def peer_versions_text(r, clients):
    """Ours against both PostGraphile versions on the county VIEWER's masked children page."""
    out = ["PostGraphile 5 (bench/postgraphile5/: postgraphile 5.1.5, Grafast, the v4-compatible schema of "
           "`makeV4Preset` over the same RLS policies, `server.mjs`; it sends the count and the page as two "
           "statements) beside PostGraphile 4, measured in the same run:", "",
           "| children page, county VIEWER (masked) | ours p50 ms | PostGraphile 4 p50 ms | PostGraphile 5 p50 ms | "
           "ours / v4 | ours / v5 |", "|---|--:|--:|--:|--:|--:|"]
    for first in (10, 50, 100):
        key = f"masked {first}"
        ours, v4, v5 = r["m2"][key]["p50"], r["pgl"][key]["p50"], r["pgl5"][key]["p50"]
        out.append(f"| {first} rows | {ours:.1f} | {v4:.1f} | {v5:.1f} | {ours / v4:.2f}× | {ours / v5:.2f}× |")
    ours, v4, v5 = r["m4"]["rps"], r["pgl_c8"]["rps"], r["pgl5_c8"]["rps"]
    out.append(f"| 50 rows, {clients} clients, req/s | {ours:.0f} | {v4:.0f} | {v5:.0f} | {ours / v4:.2f}× | "
               f"{ours / v5:.2f}× |")
    if r.get("paired"):
        rounds = r["paired"]["50"]["ours"]["n"]
        out += ["", f"The same pages interleaved (one request to each server in turn, {rounds} rounds, all three "
                "servers up: a shared machine's drift between the blocks above does not enter the ratios); the "
                "ratio is the median over the rounds of ours over the peer's:", "",
                "| children page, county VIEWER (masked) | ours p50 ms | PostGraphile 4 p50 ms | PostGraphile 5 p50 ms "
                "| ours / v4 | ours / v5 | load (1 min) |", "|---|--:|--:|--:|--:|--:|---|"]
        for first, m in r["paired"].items():
            out.append(f"| {first} rows | {m['ours']['p50']:.1f} | {m['pgl']['p50']:.1f} | {m['pgl5']['p50']:.1f} | "
                       f"{m['pgl']['ratio']:.2f}× | {m['pgl5']['ratio']:.2f}× | {load_span(m)} |")
    if r.get("paired_c8"):
        c8 = r["paired_c8"]
        out += ["", f"Requests per second at {clients} clients, interleaved the same way: {c8['rounds']} rounds of "
                f"{c8['seconds']:g} s, each round starting with the next server; medians of the rounds, the ratio the "
                "median over the rounds of ours over the peer's (the runs of one round are seconds apart):", "",
                "| 50 rows, masked | ours req/s | PostGraphile 4 req/s | PostGraphile 5 req/s | ours / v4 | ours / v5 | "
                "load (1 min) |", "|---|--:|--:|--:|--:|--:|---|",
                f"| {clients} clients | {c8['ours']['rps']:.0f} | {c8['pgl']['rps']:.0f} | {c8['pgl5']['rps']:.0f} | "
                f"{c8['pgl']['ratio']:.2f}× | {c8['pgl5']['ratio']:.2f}× | {load_span(c8)} |"]
        if "pg_cpu_ms" in c8["ours"]:
            out += ["", "Where a request's CPU goes in those runs (ms per request, medians of the rounds; the server's "
                    "processes, PostgreSQL's, and the harness's client threads, all on the same cores):", "",
                    "| server | server CPU | PostgreSQL CPU | client CPU | sum |", "|---|--:|--:|--:|--:|"]
            for key, label in (("ours", "ours (gunicorn)"), ("pgl", "PostGraphile 4 (Node)"),
                               ("pgl5", "PostGraphile 5 (Node)")):
                m = c8[key]
                if "cpu_ms" in m:
                    total = m["cpu_ms"] + m["pg_cpu_ms"] + m["client_cpu_ms"]
                    out.append(f"| {label} | {m['cpu_ms']:.2f} | {m['pg_cpu_ms']:.2f} | {m['client_cpu_ms']:.2f} | "
                               f"{total:.2f} |")
    return out


def print_table(r):
    print(f"{'measure':<44}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>8}{'raw p50':>9}{'PGL p50':>9}")
    if r.get("m1"):
        print(f"refresh: {r['refresh']['rows']:,} figures in {r['refresh']['seconds']:.1f} s")
        for k in ("dashboard", "drill-down"):
            m = r["m1"][k]
            print(f"{'1 rollup ' + k:<44}{m['p50']:>9.1f}{m['p95']:>9.1f}{fmt_q(m['queries']):>8}"
                  f"{r['m1']['raw'][k]['p50']:>9.1f}")
        print(f"figure differences API vs raw: {len(r['m1']['check']['differences'])}")
    for k, m in {**r["m2"], **r["m3"]}.items():
        raw = r["raw"].get(k, {}).get("p50")
        peer = r.get("pgl", {}).get(k, {}).get("p50")
        print(f"{k:<44}{m['p50']:>9.1f}{m['p95']:>9.1f}{fmt_q(m['queries']):>8}"
              f"{raw if raw is None else round(raw, 1)!s:>9}{peer if peer is None else round(peer, 1)!s:>9}")
    if isinstance(r.get("profile"), dict):
        print(cpu_line(r["profile"]))
    for key, (name, *_rest) in PEERS.items():
        peer = r.get(key, {}).get("masked 50", {}).get("p50")
        if peer:
            print(f"masked 50-row page, p50 ours / {name}: {r['m2']['masked 50']['p50'] / peer:.1f}x (target 1.5x)")
    m4 = r["m4"]
    print(f"{'4 concurrent':<44}{m4['p50']:>9.1f}{m4['p95']:>9.1f}  {m4['rps']:.0f} req/s"
          + "".join(f"  {PEERS[key][0]} {r[key + '_c8']['rps']:.0f} req/s" for key in PEERS if r.get(key + "_c8")))
    print("5 scope:", json.dumps({k: {kk: vv for kk, vv in v.items() if kk in ("p50", "p95", "queries")}
                                  for k, v in r["m5"].items() if k != "in-process"}),
          json.dumps(r["m5"]["in-process"]))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(common.SCALES), default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per measure (default 200)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20, help="length of each concurrent run (default 20)")
    parser.add_argument("--plan-samples", type=int, default=PLAN_SAMPLES, help="0 skips the plan check")
    parser.add_argument("--plans-only", action="store_true",
                        help="only the plan check of every list page (var/bench/plans-<scale>.json and, unless "
                             "--no-doc, the list plans of the scale's block in docs/benchmarks.md)")
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    parser.add_argument("--report-only", action="store_true",
                        help="re-render the section from the last run's var/bench/results-<scale>.json")
    parser.add_argument("--rebase-before", action="store_true",
                        help="set this run against the block's last run, not against the before it already shows")
    args = parser.parse_args(argv)
    if args.plans_only:
        return plans_only(args)
    if args.report_only:
        saved = json.loads(results_file(args.scale).read_text())
        results, args = saved["results"], argparse.Namespace(**{**vars(args), **saved["args"], "report_only": True,
                                                                       "no_doc": args.no_doc})
    else:
        before = recorded_before(args.scale, args.rebase_before)
        results = {**run(args), "before": before}
        for measures in (results["m2"], results["m3"], *(results.get(key, {}) for key in PEERS)):
            for m in measures.values():
                m.pop("answer", None)
        LOGS.mkdir(parents=True, exist_ok=True)
        results_file(args.scale).write_text(json.dumps({"args": vars(args), "results": results}, default=str,
                                                       ensure_ascii=False, indent=1))
    print_table(results)
    block = render(args, results)
    print(block)
    if not args.no_doc:
        write_doc(args.scale, block)
        log(f"wrote {common.DOC.relative_to(common.ROOT)}")
    return results


if __name__ == "__main__":
    main()
