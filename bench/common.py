"""What the province-scale generator (bench.generate) and its measures (bench.run) share: scales, the
database of a scale, the bench-only secrets, the sample actors, and the section-writing convention."""

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DB_PREFIX = "bench_prov"  # every database this benchmark touches is named bench_prov_<scale>
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_DB = 13

# Sizes per tree (the league tree and the women's federation tree have the same shape).
# Programs (issue 9): 3,000 happy-home sites and 200,000 volunteers; service records (2 per volunteer), pairings
# (1 per 10 children) and activities (20 per site) are this benchmark's own choice of proportions.
PROVINCE = {"cities": 14, "counties": 100, "townships": 1200, "villages": 25_000, "units": 2_000,
            "children": 1_000_000, "wishes": 2_000_000, "homes": 3_000, "volunteers": 200_000,
            "service_records": 400_000, "pairings": 100_000, "activities": 60_000}
SCALES = {
    "province": PROVINCE,
    # one city of the province (1/14) and one county of it (1/100), proportionally
    "city": {"cities": 1, "counties": 7, "townships": 86, "villages": 1_786, "units": 143,
             "children": 71_429, "wishes": 142_857, "homes": 214, "volunteers": 14_286, "service_records": 28_571,
             "pairings": 7_143, "activities": 4_286},
    "county": {"cities": 1, "counties": 1, "townships": 12, "villages": 250, "units": 20,
               "children": 10_000, "wishes": 20_000, "homes": 30, "volunteers": 2_000, "service_records": 4_000,
               "pairings": 1_000, "activities": 600},
    # the smoke test's size
    "tiny": {"cities": 1, "counties": 1, "townships": 2, "villages": 6, "units": 2, "children": 120, "wishes": 240,
             "homes": 2, "volunteers": 40, "service_records": 80, "pairings": 12, "activities": 20},
}

# Sample actors (username: role at which organization); the generator grants them through
# permissions.services.grant_role, the measures sign in as them.
PASSWORD = "bench-pass-2026"
ACTORS = {
    "bench_province_rollup": ("ROLLUP_VIEWER", "province"),
    "bench_county_staff": ("STAFF", "county"),
    "bench_county_viewer": ("VIEWER", "county"),
    "bench_township_staff": ("STAFF", "township"),
}
PARTNER_TOKEN_NAME = "bench partner token"


def log(prog, message):
    print(f"[bench.{prog}] {message}", file=sys.stderr, flush=True)


def database_name(scale):
    return f"{DB_PREFIX}_{scale}"


def database_url(scale):
    """DATABASE_URL if it names a bench_prov_* database, else bench_prov_<scale> on the local server."""
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    if url:
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if not name.startswith(DB_PREFIX):
            raise SystemExit(f"BENCH_DATABASE_URL must name a database {DB_PREFIX}_*, not {name!r}")
        return url
    return f"{DEFAULT_SERVER}/{database_name(scale)}"


def bench_secrets(seed):
    """Bench-only secrets, derived from the seed: the data is synthetic, and the generator and the server
    (run with DEBUG off, so secrets must come from the environment) need the same keys."""
    def derive(label):
        return hashlib.sha256(f"tuanwei-bench-{label}-{seed}".encode()).digest()

    return {
        "SECRET_KEY": base64.urlsafe_b64encode(derive("secret")).decode(),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(derive("fernet")).decode(),
        "BLIND_INDEX_KEY": base64.urlsafe_b64encode(derive("blind")).decode(),
    }


def configure_env(scale, seed, settings_module="config.settings"):
    """Environment for a Django process of this benchmark (the generator, a measuring subprocess)."""
    os.environ["DATABASE_URL"] = database_url(scale)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.update(bench_secrets(seed))
    os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")
    os.environ.update(PLAIN_HTTP)


def setup_django(scale, seed):
    """Django for a measuring process on the generated database, migrated first: a database generated before the
    newest migrations (page indexes, new tables) would be measured without them."""
    configure_env(scale, seed)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# The benchmark talks plain HTTP to its own server on 127.0.0.1 (production sits behind a TLS proxy).
PLAIN_HTTP = {"SECURE_SSL_REDIRECT": "0"}


def token_file(scale):
    """Where the generator leaves the partner token's secret (var/ is git-ignored)."""
    path = ROOT / "var" / "bench" / f"{database_name(scale)}.token"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_section(section_title, section):
    """Replace (or append) ``section_title``'s section of docs/benchmarks.md, as bench.scope/roster do."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(section_title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text.rstrip("\n") + "\n")


BLOCK = "### Scale: "
SCALE_ORDER = ("province", "city", "county", "tiny")


def scale_blocks(section_title):
    """{scale: its block ("### Scale: <scale>" to the next one)} of a section of docs/benchmarks.md."""
    text = DOC.read_text() if DOC.exists() else ""
    found = re.search(rf"^{re.escape(section_title)}\n.*?(?=^## |\Z)", text, re.S | re.M)
    if not found:
        return {}
    return {m.group(1): m.group(0).rstrip("\n") + "\n"
            for m in re.finditer(rf"^{re.escape(BLOCK)}(\w+)\n.*?(?=^{re.escape(BLOCK)}|\Z)", found.group(0),
                                 re.S | re.M)}


def write_scale_block(section_title, head, scale, block):
    """Rewrite a section whose scales each have a block: ``head`` (lines), then the blocks in SCALE_ORDER, with
    ``scale``'s block replaced and the other scales' blocks kept as they are."""
    blocks = {**scale_blocks(section_title), scale: block}
    ordered = [blocks[k] for k in SCALE_ORDER if k in blocks]
    write_section(section_title, "\n".join([section_title, "", *head, *ordered]))


def machine():
    with open("/proc/meminfo") as f:
        kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    model = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model, "memory": f"{kib / 1024 / 1024:.1f} GiB"}


def load():
    """The 1/5/15-minute load average (the machine is shared: every figure carries it)."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
