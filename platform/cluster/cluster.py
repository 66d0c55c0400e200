"""The production topology on one machine, from Debian packages (issue 21): `make cluster` / `make cluster-down`.

    python platform/cluster/cluster.py up|down|status|env|stop-primary|promote|kill NAME|start NAME

Two PostgreSQL 15 servers (``a`` on 15432 and ``b`` on 15433; one is the primary, the other its streaming hot
standby, as state.json says), pgbouncer (transaction mode, 16432) in front of both, two gunicorn app nodes
(18001, 18002) behind nginx (TLS, 18000), two dramatiq workers on RabbitMQ (vhost ``platform_cluster_<hash>``,
the checkout's own), two schedulers, Redis database 8 for the cache and the sessions (marked with the checkout that
brought the cluster up: ``down`` flushes it only if the mark is its own or gone), and one shared VAR_DIR
(var/cluster/shared: photos, job files) for every node.

Where things live. What root's processes use is in var/cluster/ (git-ignored): state.json, the generated
secrets.env, the TLS certificate, pid files, the app nodes', workers' and nginx's logs (log/), the shared files.
What the postgres user (PostgreSQL, pgbouncer) and nginx's www-data workers read or write cannot live in the
checkout: CI clones it into a root-only temporary directory (mode 700) they cannot enter. It lives in
/var/lib/platform-cluster/<hash of var/cluster's path>/ (two checkouts do not share it): ``postgres/`` (owned by
postgres: the data directories, their logs and sockets, pgbouncer's configuration, pid and log) and ``nginx/``
(owned by www-data: nginx's temporary files, such as an upload's body). var/cluster/system links to it; ``down``
removes both. ``up`` is idempotent: it starts what is not running. After ``promote`` (failover) the old primary
is discarded; the next ``up`` clones it again from the new primary as the standby.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CLUSTER = Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))
RUN, LOG, SHARED = CLUSTER / "run", CLUSTER / "log", CLUSTER / "shared"
SYSTEM = Path("/var/lib/platform-cluster") / hashlib.sha256(str(CLUSTER.resolve()).encode()).hexdigest()[:12]
POSTGRES, NGINX_TEMP = SYSTEM / "postgres", SYSTEM / "nginx"
PG_RUN, PG_LOG = POSTGRES / "run", POSTGRES / "log"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Below the kernel's ephemeral range (32768-60999 by default): a port in it can be held for a minute by an outgoing
# connection's TIME-WAIT (a client's to Redis held 55432 once, and the primary could not bind it).
PG_PORTS = {"a": 15432, "b": 15433}
PGBOUNCER_PORT, NGINX_PORT = 16432, 18000
NODES = {"web1": 18001, "web2": 18002}
WORKERS, SCHEDULERS = ("worker1", "worker2"), ("scheduler1", "scheduler2")
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/8")
VHOST = f"platform_cluster_{SYSTEM.name}"  # the checkout's own: another checkout's ``down`` does not delete it
OWNER_KEY = "platform_cluster:owner"  # in Redis DB 8: which checkout's cluster uses it
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def run(*command, user: str | None = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """A command, as ``user`` if given (then from /: the checkout's directory may be closed to that user)."""
    command = [str(c) for c in command]
    if user:
        command = ["runuser", "-u", user, "--", *command]
        kwargs.setdefault("cwd", "/")
    done = subprocess.run(command, check=False, text=True, capture_output=True, **kwargs)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def render(template: str, target: Path, **values) -> None:
    target.write_text(string.Template((HERE / template).read_text()).substitute(**values))


def state() -> dict:
    path = CLUSTER / "state.json"
    return json.loads(path.read_text()) if path.exists() else {"primary": "a", "standby": "b"}


def save_state(value: dict) -> None:
    (CLUSTER / "state.json").write_text(json.dumps(value))


# --- secrets and the app's environment ---------------------------------------------------------------------

def secrets_env() -> dict:
    path = CLUSTER / "secrets.env"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_text(f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
                        f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
                        f"BLIND_INDEX_KEY={secrets.token_urlsafe(50)}\n")
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().split())


def app_env(direct: bool = False) -> dict:
    """The environment of every app process; ``direct``: to the primary itself, not pgbouncer (migrations)."""
    primary = PG_PORTS[state()["primary"]]
    origins = ",".join(f"https://127.0.0.1:{p}" for p in (NGINX_PORT, *NODES.values()))
    env = {
        "DEBUG": "0", **secrets_env(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "CSRF_TRUSTED_ORIGINS": origins,
        "SITE_URL": f"https://127.0.0.1:{NGINX_PORT}",
        "DATABASE_URL": (f"postgres://postgres@127.0.0.1:{primary}/platform" if direct
                         else f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/platform"),
        "REDIS_URL": REDIS_URL,
        "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:5672/{VHOST}", "JOBS_BROKER": "rabbitmq",
        "VAR_DIR": str(SHARED), "WEB_CONCURRENCY": "2", "WEB_THREADS": "2",
        "JOBS_LEASE_SECONDS": "10", "JOBS_RETRY_BACKOFF_SECONDS": "1", "LOG_LEVEL": "INFO",
    }
    if not direct:
        env |= {"DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/platform_replica",
                "PGBOUNCER": "1"}
    return env


# --- processes -----------------------------------------------------------------------------------------------

def pid_file(name: str) -> Path:
    return (PG_RUN if name == "pgbouncer" else RUN) / f"{name}.pid"


def pid_of(name: str) -> int | None:
    path = pid_file(name)
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return None
    return pid


def spawn(name: str, command: list[str], env: dict) -> None:
    if pid_of(name):
        return
    output = open(LOG / f"{name}.log", "a")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=output,
                               stderr=subprocess.STDOUT, start_new_session=True)
    (RUN / f"{name}.pid").write_text(str(process.pid))
    log(f"{name}: started (pid {process.pid}, log var/cluster/log/{name}.log)")


def stop(name: str, sig: int = signal.SIGTERM, wait: float = 30) -> None:
    """Stops a process this script started, and its process group (gunicorn's and dramatiq's children)."""
    pid = pid_of(name)
    if pid is None:
        return
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    (RUN / f"{name}.pid").unlink(missing_ok=True)
    log(f"{name}: stopped")


def process_command(name: str) -> list[str]:
    if name in NODES:
        return [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "platform/gunicorn.conf.py", "config.wsgi"]
    if name in WORKERS:
        return [PYTHON, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"]
    if name in SCHEDULERS:
        return [PYTHON, "manage.py", "runscheduler", "--interval", "5"]
    raise SystemExit(f"unknown process {name}")


def start_process(name: str) -> None:
    env = app_env() | ({"BIND": f"127.0.0.1:{NODES[name]}"} if name in NODES else {})
    spawn(name, process_command(name), env)


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def data_dir(server: str) -> Path:
    return POSTGRES / "pg" / server


def pg_running(server: str) -> bool:
    return run(PG_BIN / "pg_ctl", "status", "-D", data_dir(server), user="postgres", check=False).returncode == 0


def pg_start(server: str) -> None:
    if pg_running(server):
        return
    run(PG_BIN / "pg_ctl", "start", "-w", "-t", "60", "-D", data_dir(server), "-l", PG_LOG / f"postgres-{server}.log",
        user="postgres")
    log(f"postgres {server}: started on {PG_PORTS[server]}")


def write_node_conf(server: str) -> None:
    path = data_dir(server)
    (path / "node.conf").write_text(f"port = {PG_PORTS[server]}\nunix_socket_directories = '{PG_RUN}'\n")
    shutil.copy(HERE / "postgresql.conf", path / "cluster.conf")
    conf = path / "postgresql.conf"
    if "include_if_exists = 'cluster.conf'" not in conf.read_text():
        with conf.open("a") as out:
            out.write("\ninclude_if_exists = 'cluster.conf'\ninclude_if_exists = 'node.conf'\n")
    (path / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                                      "host replication all 127.0.0.1/32 trust\n")
    run("chown", "-R", "postgres:postgres", path)


def psql(server_or_port, sql: str, database: str = "postgres") -> str:
    port = PG_PORTS.get(server_or_port, server_or_port)
    return run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-Atqc", sql).stdout.strip()


def ensure_primary(server: str) -> None:
    path = data_dir(server)
    if not (path / "PG_VERSION").exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        run("chown", "postgres:postgres", path)
        run(PG_BIN / "initdb", "-D", path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            user="postgres")
        log(f"postgres {server}: initdb")
    write_node_conf(server)
    pg_start(server)
    if psql(server, "SELECT 1 FROM pg_database WHERE datname = 'platform'") != "1":
        psql(server, "CREATE DATABASE platform")
    psql(server, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database="platform")


def ensure_standby(server: str, primary: str) -> None:
    path = data_dir(server)
    if not (path / "PG_VERSION").exists():
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, mode=0o700)
        run("chown", "postgres:postgres", path)
        run(PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", PG_PORTS[primary], "-U", "postgres", "-D", path,
            "-R", "-X", "stream", "-c", "fast", user="postgres")
        log(f"postgres {server}: cloned from {primary} (pg_basebackup -R)")
    write_node_conf(server)
    pg_start(server)


# --- pgbouncer, nginx, RabbitMQ -------------------------------------------------------------------------------

def render_pgbouncer() -> None:
    current = state()
    # without a standby (after a failover, until `up` clones one) the reads go to the primary
    reads = current["standby"] if current.get("standby_ready", True) else current["primary"]
    render("pgbouncer.ini", POSTGRES / "pgbouncer.ini", primary_port=PG_PORTS[current["primary"]],
           standby_port=PG_PORTS[reads], pgbouncer_port=PGBOUNCER_PORT, postgres_dir=POSTGRES, run_dir=PG_RUN,
           log_dir=PG_LOG)
    (POSTGRES / "pgbouncer.users").write_text('"postgres" ""\n')
    run("chown", "postgres:postgres", POSTGRES / "pgbouncer.ini", POSTGRES / "pgbouncer.users")


def ensure_pgbouncer() -> None:
    render_pgbouncer()
    if pid_of("pgbouncer"):
        reload_pgbouncer()
        return
    run("pgbouncer", "-d", POSTGRES / "pgbouncer.ini", user="postgres")
    log(f"pgbouncer: started on {PGBOUNCER_PORT} (transaction mode)")


def reload_pgbouncer() -> None:
    run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", PGBOUNCER_PORT, "-U", "postgres", "-d", "pgbouncer", "-qc", "RELOAD")


def ensure_tls() -> None:
    tls = CLUSTER / "tls"
    if (tls / "cert.pem").exists():
        return
    tls.mkdir()
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", tls / "key.pem", "-out", tls / "cert.pem")
    (tls / "key.pem").chmod(0o600)


def ensure_nginx() -> None:
    ensure_tls()
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (NGINX_TEMP / temp).mkdir(parents=True, exist_ok=True)
    run("chown", "-R", "www-data", NGINX_TEMP)
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in NODES.values())
    render("nginx.conf", CLUSTER / "nginx.conf", upstreams=upstreams, nginx_port=NGINX_PORT, run_dir=RUN,
           log_dir=LOG, tls_dir=CLUSTER / "tls", temp_dir=NGINX_TEMP)
    if pid_of("nginx"):
        run("nginx", "-c", CLUSTER / "nginx.conf", "-p", NGINX_TEMP, "-s", "reload")
        return
    run("nginx", "-c", CLUSTER / "nginx.conf", "-p", NGINX_TEMP)
    log(f"nginx: https://127.0.0.1:{NGINX_PORT}/ in front of {', '.join(NODES)}")


def ensure_vhost() -> None:
    if VHOST not in run("rabbitmqctl", "-q", "list_vhosts").stdout.split():
        run("rabbitmqctl", "-q", "add_vhost", VHOST)
    run("rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")


def wait_healthy(seconds: float = 90) -> None:
    context = ssl._create_unverified_context()  # the self-signed certificate of var/cluster/tls
    deadline = time.monotonic() + seconds
    for port in NODES.values():
        url = f"http://127.0.0.1:{port}/auth/csrf/"
        while True:
            try:
                request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
                if urllib.request.urlopen(request, timeout=5).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {seconds:.0f} s: see var/cluster/log/")
            time.sleep(0.5)
    urllib.request.urlopen(f"https://127.0.0.1:{NGINX_PORT}/auth/csrf/", context=context, timeout=5)


# --- commands -------------------------------------------------------------------------------------------------

def make_dirs() -> None:
    for path in (RUN, LOG, SHARED):
        path.mkdir(parents=True, exist_ok=True)
    for path in (SYSTEM.parent, SYSTEM):
        path.mkdir(mode=0o755, exist_ok=True)
        path.chmod(0o755)  # whatever the umask: postgres and www-data pass through to their own directory
    for path in (POSTGRES / "pg", PG_RUN, PG_LOG):
        path.mkdir(parents=True, exist_ok=True)
    run("chown", "-R", "postgres:postgres", POSTGRES)
    POSTGRES.chmod(0o700)
    link = CLUSTER / "system"
    if not link.is_symlink():
        link.symlink_to(SYSTEM)


def port_taken(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def check_ports_free() -> None:
    """The ports of what is not running yet must be free: another checkout's cluster listens on the same ones,
    and a node of theirs would answer for ours."""
    ours = {PG_PORTS[s] for s in PG_PORTS if (data_dir(s) / "PG_VERSION").exists() and pg_running(s)}
    ours |= {port for name, port in (("pgbouncer", PGBOUNCER_PORT), ("nginx", NGINX_PORT), *NODES.items())
             if pid_of(name)}
    taken = [port for port in (*PG_PORTS.values(), PGBOUNCER_PORT, NGINX_PORT, *NODES.values())
             if port not in ours and port_taken(port)]
    if taken:
        raise SystemExit(f"ports {taken} are in use by processes this checkout did not start "
                         "(another checkout's cluster? `make cluster-down` there)")


def up() -> None:
    check_ports_free()  # before anything is made: a refused ``up`` leaves nothing for ``down`` to remove
    make_dirs()
    current = state()
    ensure_primary(current["primary"])
    ensure_standby(current["standby"], current["primary"])
    save_state({**current, "standby_ready": True})
    ensure_pgbouncer()
    ensure_vhost()
    claim_redis()
    if not (CLUSTER / "demo-loaded").exists():
        direct = {**os.environ, **app_env(direct=True)}
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=direct, check=True)
        subprocess.run([PYTHON, "manage.py", "load_demo"], cwd=ROOT, env=direct, check=True,
                       stdout=open(LOG / "load_demo.log", "a"), stderr=subprocess.STDOUT)
        (CLUSTER / "demo-loaded").touch()
        log("migrated, demo data loaded")
    for name in (*NODES, *WORKERS, *SCHEDULERS):
        start_process(name)
    ensure_nginx()
    wait_healthy()
    log(f"up: https://127.0.0.1:{NGINX_PORT}/ (primary {current['primary']}:{PG_PORTS[current['primary']]}, "
        f"standby {current['standby']}:{PG_PORTS[current['standby']]})")


def claim_redis() -> None:
    """Marks Redis DB 8 as this checkout's cluster's (``release_redis`` reads the mark)."""
    import redis

    redis.Redis.from_url(REDIS_URL).set(OWNER_KEY, str(CLUSTER.resolve()))


def release_redis() -> None:
    """Flushes Redis DB 8 unless another checkout's cluster has marked it as its own (it may be running)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        owner = client.get(OWNER_KEY)
        if owner is not None and owner.decode() != str(CLUSTER.resolve()):
            log(f"redis: not flushed (in use by the cluster of {owner.decode()})")
            return
        client.flushdb()
    except Exception as error:  # Redis down: nothing of ours to remove
        log(f"redis: not flushed ({error})")


def down() -> None:
    if not CLUSTER.exists() and not SYSTEM.exists():
        return
    for name in (*NODES, *WORKERS, *SCHEDULERS):
        stop(name)
    if pid_of("nginx"):
        run("nginx", "-c", CLUSTER / "nginx.conf", "-p", NGINX_TEMP, "-s", "stop", check=False)
    if pid_of("pgbouncer"):
        os.kill(pid_of("pgbouncer"), signal.SIGTERM)
    for server in PG_PORTS:
        if (data_dir(server) / "PG_VERSION").exists() and pg_running(server):
            run(PG_BIN / "pg_ctl", "stop", "-m", "fast", "-D", data_dir(server), user="postgres", check=False)
    run("rabbitmqctl", "-q", "delete_vhost", VHOST, check=False)
    release_redis()
    time.sleep(0.5)
    shutil.rmtree(CLUSTER, ignore_errors=True)
    shutil.rmtree(SYSTEM, ignore_errors=True)
    with contextlib.suppress(OSError):  # another checkout's cluster may still be there
        SYSTEM.parent.rmdir()
    log(f"down: everything stopped, {CLUSTER} and {SYSTEM} removed")


def stop_primary() -> None:
    """The primary's machine dies (immediate stop: no clean shutdown, no final checkpoint)."""
    server = state()["primary"]
    run(PG_BIN / "pg_ctl", "stop", "-m", "immediate", "-D", data_dir(server), user="postgres")
    log(f"postgres {server}: primary stopped (immediate)")


def promote() -> None:
    """Failover: promote the standby, point pgbouncer's "platform" at it (RELOAD), discard the old primary."""
    current = state()
    old, new = current["primary"], current["standby"]
    if pg_running(old):
        stop_primary()
    run(PG_BIN / "pg_ctl", "promote", "-w", "-D", data_dir(new), user="postgres")
    save_state({"primary": new, "standby": old, "standby_ready": False})
    render_pgbouncer()
    reload_pgbouncer()
    shutil.rmtree(data_dir(old))
    log(f"postgres {new}: promoted; pgbouncer now sends 'platform' to {PG_PORTS[new]}")


def status() -> None:
    current = state()
    for server in PG_PORTS:
        role = "primary" if current["primary"] == server else "standby"
        log(f"postgres {server} ({role}, {PG_PORTS[server]}): {'running' if pg_running(server) else 'stopped'}")
    for name in ("pgbouncer", "nginx", *NODES, *WORKERS, *SCHEDULERS):
        log(f"{name}: {'running, pid %s' % pid_of(name) if pid_of(name) else 'stopped'}")


def main(argv: list[str]) -> None:
    if os.geteuid() != 0:
        raise SystemExit("cluster.py runs as root (PostgreSQL and pgbouncer are started as the postgres user)")
    command = argv[0] if argv else "status"
    if command == "env":  # the app's environment, for a shell: set -a; . <(cluster.py env)
        print("\n".join(f"{k}={v}" for k, v in app_env().items()))
    elif command == "kill":  # without warning: the process group gets SIGKILL
        stop(argv[1], signal.SIGKILL, 5)
    elif command == "start":
        start_process(argv[1])
    else:
        {"up": up, "down": down, "status": status, "stop-primary": stop_primary, "promote": promote}[command]()


if __name__ == "__main__":
    main(sys.argv[1:])
