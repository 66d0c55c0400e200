"""Machine instructions per request, counted by valgrind: the server-side CPU of a page as a number that does not move
with the machine's load or its neighbours (issue 15).

Timings on a shared 2-core machine wander by 10-30% between runs, and a change worth 5% cannot be seen in them;
an instruction count of the same code on the same data repeats to about 1% (0.1% in one session, 14.22 M and
14.43 M in another: the server's caches and Redis answers differ a little). It is not time (a cache miss costs more than
an add), so the harness's timed measures (bench.run) stay the figures of record; this one compares two versions of
the code, or shows what a change saves.

    python -m bench.instructions --scale county [--rows 50] [--requests 100] [--tree PATH] [--write]

A child process (``--serve``) signs in as the county VIEWER, answers ChildRoster 30 times (warm caches, compiled
statements and completions), settles the collector as a web worker does, then answers it N more times, all through
Django's test client: the same view, middleware and schema as the server, without gunicorn. It runs twice under
``valgrind --tool=cachegrind --cache-sim=no``, with N = 20 and N = 20 + ``--requests``; the difference of the two
totals divided by ``--requests`` is the count per request (set-up and the first 20 cancel out). ``--tree`` measures
another checkout (say a ``git worktree`` of an older commit) on the same database: this harness, that tree's code.
``--write`` records the figure in docs/benchmarks.md, under "Instructions per request", by scale, rows and commit.
valgrind must be installed (``apt-get install valgrind``).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import common

SECTION = "## Instructions per request (valgrind)"
WARM, BASE = 30, 20


def serve(scale: str, seed: int, rows: int, requests: int) -> None:
    """The child: ChildRoster ``WARM`` times, the collector settled, then ``requests`` times."""
    common.setup_django(scale, seed)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.run import operation_text
    from config import collector

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_county_viewer"))
    body = {"query": operation_text("children", "ChildRoster"), "variables": {"first": rows},
            "operationName": "ChildRoster"}

    def one():
        response = client.post("/graphql", body, content_type="application/json")
        assert response.status_code == 200
        return response

    answer = one().json()  # read once, not counted: the client's work
    assert "errors" not in answer and len(answer["data"]["children"]["edges"]) == rows, answer
    for _ in range(WARM):
        one()
    collector.settle()
    for _ in range(requests):
        one()


def counted(tree: Path, scale: str, seed: int, rows: int, requests: int) -> int:
    """The instructions valgrind counts for the child in ``tree`` answering ``requests`` pages."""
    argv = ["instructions", "--serve", "--scale", scale, "--seed", str(seed), "--rows", str(rows),
            "--requests", str(requests)]
    child = (f"import runpy, sys; sys.path.insert(0, {str(tree)!r}); sys.argv = {argv!r}; "
             f"runpy.run_path({__file__!r}, run_name='__main__')")  # this harness, the tree's code
    with tempfile.TemporaryDirectory() as out:
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}/cg.out",
                   sys.executable, "-c", child]
        done = subprocess.run(command, cwd=tree, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed in {tree}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_request(tree: Path, scale: str, seed: int, rows: int, requests: int) -> int:
    return (counted(tree, scale, seed, rows, BASE + requests) - counted(tree, scale, seed, rows, BASE)) // requests


def commit_of(tree: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True,
                          check=True).stdout.strip()


def record(scale: str, rows: int, commit: str, instructions: int) -> None:
    """Keep one line per (scale, rows, commit) in the section, newest last."""
    text = common.DOC.read_text() if common.DOC.exists() else ""
    found = re.search(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", text, re.S | re.M)
    lines = [line for line in (found.group(0).splitlines() if found else []) if line.startswith("| ") and
             not line.startswith("| scale") and not line.startswith("|---")]
    key = f"| {scale} | {rows} | {commit} |"
    lines = [line for line in lines if not line.startswith(key)] + [f"{key} {instructions / 1e6:.2f} M |"]
    common.write_section(SECTION, "\n".join([
        SECTION, "",
        "ChildRoster as the county VIEWER (masked), in-process through Django's test client, counted by "
        "`python -m bench.instructions` (valgrind's cachegrind; see its docstring). The same code on the same data "
        "repeats to about 1%, so two commits compare where timings on a shared machine (10-30%) cannot; it is not time: "
        "a change that saves instructions saves about half as much CPU time, the fixed part of a request being "
        "heavier in cache misses and system calls.",
        "", "| scale | rows | commit | instructions per request |", "|---|--:|---|--:|", *lines, ""]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="county", choices=[s for s in common.SCALES if s != "tiny"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--tree", type=Path, default=common.ROOT, help="the checkout to measure")
    parser.add_argument("--write", action="store_true", help="record the figure in docs/benchmarks.md")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.scale, args.seed, args.rows, args.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    instructions = per_request(args.tree.resolve(), args.scale, args.seed, args.rows, args.requests)
    commit = commit_of(args.tree)
    common.log("instructions", f"{args.scale}, {args.rows} rows, {commit}: {instructions:,} instructions per request")
    if args.write:
        record(args.scale, args.rows, commit, instructions)


if __name__ == "__main__":
    main()
