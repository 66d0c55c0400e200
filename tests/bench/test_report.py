"""The benchmark reports the harness writes into docs/benchmarks.md: each scale's figures beside the figures the doc
held before (read back from the doc, kept as the baseline across re-runs), each scale's block replaced without
touching the others, and the process-model table with the model that served most."""

from argparse import Namespace

import pytest

from bench import common, procmodel, run

LEGACY = """### Scale: county

Measured 2026-11-30 22:05 CST on 2 cores (AMD EPYC), 23.5 GiB RAM, PostgreSQL 15.20 (shared_buffers 128MB); load average 3.45 2.90 4.17 at the start, 1.79 2.29 3.50 at the end. The machine is shared.

| measure | actor | p50 ms | p95 ms | req/s | SQL/request | raw SQL p50 ms | API / raw | PostGraphile p50 ms | ours / PostGraphile |
|---|---|--:|--:|--:|--:|--:|--:|--:|--:|
| 2 children page, 50 rows | county VIEWER (masked) | 58.8 | 66.5 |  | 3 | 43.9 | 1.3× | 15.0 | 3.92× |
| 4 children page 50 rows, 8 clients | county VIEWER (masked) | 258.7 | 378.6 | **30** | 3 | | | 67.0 (117 req/s) | 0.25× (req/s) |
| 5 scope warm, page of 10 | county VIEWER | 37.3 | 46.5 |  | 3 | | | | |

#### Findings
"""


def measure(p50, queries=3):
    return {"p50": p50, "p95": p50 * 1.5, "queries": [queries], "load": ["4.10 3.00 2.00", "5.20 3.10 2.00"]}


def results():
    """A run's results in the shape bench.run.run returns (no rollup measure), p50s chosen to be told apart."""
    m2 = {"masked 10": measure(10.0), "masked 50": measure(29.4), "masked 100": measure(40.0),
          "masked 50, newest first": measure(31.0), "unmasked 50 (staff)": measure(35.0, 4)}
    raw = {**{k: measure(20.0) for k in m2}, "township board 50": measure(12.0)}
    return {"m2": m2, "m3": {"township board 50": measure(25.0, 4), "partner published 50": measure(20.0, 4)},
            "raw": raw, "m4": {**measure(120.0), "rps": 65.4}, "pgl_c8": {"p50": 60.0, "rps": 117.0},
            "pgl": {f"masked {n}": measure(14.7) for n in (10, 50, 100)},
            "m5": {"http cold": measure(40.0, 7), "http warm": measure(22.0)}}


def new_block():
    """A block as bench.run renders it: the "Measured" line and the headline table of ``results()``."""
    return "\n".join([f"{common.BLOCK}county", "",
                      "Measured 2026-11-30 23:50 CST on 2 cores (AMD EPYC), 23.5 GiB RAM; load average 4.10 3.00 2.00 "
                      "at the start, 6.00 4.00 2.50 at the end.", "",
                      *run.headline_table(Namespace(clients=8), results())]) + "\n"


def row(lines, label):
    return next(run.table_cells(line) for line in lines if line.startswith(f"| {label} |"))


def test_recorded_figures_read_a_block_by_its_column_names():
    # given a block written before the table had its load column
    figures = run.recorded_figures(LEGACY)
    # then its run, its load and each measure's compared cells are read (bold and the peer's req/s as written)
    assert figures["measured"] == "2026-11-30 22:05 CST"
    assert figures["load"] == ["3.45 2.90 4.17", "1.79 2.29 3.50"]
    assert figures["rows"]["2 children page, 50 rows"] == {
        "p50 ms": "58.8", "req/s": "", "SQL/request": "3", "PostGraphile p50 ms": "15.0", "ours / PostGraphile": "3.92×"}
    assert figures["rows"]["4 children page 50 rows, 8 clients"]["req/s"] == "30"
    assert figures["rows"]["4 children page 50 rows, 8 clients"]["PostGraphile p50 ms"] == "67.0 (117 req/s)"
    # and a block that was never set against a before has none
    assert run.recorded_figures(LEGACY, run.BEFORE) is None


def test_headline_table_rows_carry_the_measures_load():
    lines = run.headline_table(Namespace(clients=8), results())
    assert row(lines, "2 children page, 50 rows") == [
        "2 children page, 50 rows", "county VIEWER (masked)", "29.4", "44.1", "", "3", "20.0", "1.5×", "14.7", "2.00×",
        "4.10 → 5.20"]
    assert row(lines, "4 children page 50 rows, 8 clients")[4:6] == ["**65**", "3"]


def test_before_after_sets_each_measure_beside_its_before():
    # given the figures a legacy block held and a new run's block
    before = run.recorded_figures(LEGACY)
    lines = run.before_after(before, new_block())
    # then the before's run and load are named, and each measure shows before, after and the change
    assert lines[0].startswith("Before: measured 2026-11-30 22:05 CST; load average 3.45 2.90 4.17 at the start, "
                               "1.79 2.29 3.50 at the end.")
    assert row(lines, "2 children page, 50 rows") == [
        "2 children page, 50 rows", "58.8", "29.4", "0.50×", "", "", "3", "3", "15.0", "14.7", "3.92×", "2.00×"]
    assert row(lines, "4 children page 50 rows, 8 clients")[4:6] == ["30", "65"]
    # and a measure the before did not have shows a dash and no change
    assert row(lines, "2 children page, 10 rows")[1:4] == ["—", "10.0", ""]


def test_before_is_kept_when_the_run_is_repeated():
    # given a block rendered with its before/after table
    first = run.recorded_figures(LEGACY)
    block = new_block() + "\n" + "\n".join(run.before_after(first, new_block())) + "\n"
    # then its before reads back as the legacy run's figures (for the measures the new table has)
    kept = run.recorded_figures(block, run.BEFORE)
    assert kept["measured"] == first["measured"] and kept["load"] == first["load"]
    assert kept["rows"]["2 children page, 50 rows"] == first["rows"]["2 children page, 50 rows"]
    assert kept["rows"]["4 children page 50 rows, 8 clients"] == first["rows"]["4 children page 50 rows, 8 clients"]
    # and its own figures read back as the new run's, not the before's
    own = run.recorded_figures(block)
    assert own["measured"] == "2026-11-30 23:50 CST"
    assert own["rows"]["2 children page, 50 rows"]["p50 ms"] == "29.4"


@pytest.fixture
def doc(tmp_path, monkeypatch):
    path = tmp_path / "benchmarks.md"
    monkeypatch.setattr(common, "DOC", path)
    return path


def test_recorded_before_is_the_pinned_before_unless_rebased(doc):
    # given a doc whose county block was already set against the legacy run
    block = new_block() + "\n" + "\n".join(run.before_after(run.recorded_figures(LEGACY), new_block())) + "\n"
    common.write_scale_block(run.SECTION, ["intro", ""], "county", block)
    # then the next run is set against the legacy run again, or with rebase against the block's own run
    assert run.recorded_before("county")["measured"] == "2026-11-30 22:05 CST"
    assert run.recorded_before("county", rebase=True)["measured"] == "2026-11-30 23:50 CST"
    # and a scale without a block has no before
    assert run.recorded_before("city") is None


def test_a_scale_block_is_replaced_and_the_others_kept(doc):
    # given a doc with another section and the county block
    doc.write_text("# Benchmarks\n\n## Other\n\ntext\n")
    common.write_scale_block(run.SECTION, ["intro", ""], "county", LEGACY)
    # when the city block and then a new county block are written
    common.write_scale_block(run.SECTION, ["intro", ""], "city", LEGACY.replace("Scale: county", "Scale: city"))
    common.write_scale_block(run.SECTION, ["intro", ""], "county", new_block())
    # then the section holds city before county (the scales' order), the new county block, and the other section
    blocks = common.scale_blocks(run.SECTION)
    assert list(blocks) == ["city", "county"]
    assert "23:50 CST" in blocks["county"] and "22:05 CST" in blocks["city"]
    assert doc.read_text().startswith("# Benchmarks\n\n## Other\n\ntext\n")


def test_process_models_parse_and_refuse_zero():
    assert procmodel.parse_models("1x8,2X4,5x1") == [(1, 8), (2, 4), (5, 1)]
    with pytest.raises(ValueError):
        procmodel.parse_models("0x2")


def test_process_model_passes_sum_up_to_medians_and_ranges():
    def concurrent(rps, p50, load):
        return {"rps": rps, "p50": p50, "p95": p50 * 2, "load": load, "cpu_ms": 1000 / rps}

    # given three passes of a model, the middle one disturbed
    passes = [{"page": {"8": concurrent(20.0, 380, ["5.00 1 1", "5.50 1 1"])}, "mixed": concurrent(40.0, 150, ["6 1 1", "6 1 1"]),
               "rss_mib": 300},
              {"page": {"8": concurrent(9.0, 900, ["9.00 1 1", "9.50 1 1"])}, "mixed": concurrent(44.0, 140, ["9 1 1", "9 1 1"]),
               "rss_mib": 320},
              {"page": {"8": concurrent(22.0, 350, ["4.00 1 1", "4.50 1 1"])}, "mixed": concurrent(38.0, 160, ["4 1 1", "4.2 1 1"]),
               "rss_mib": 310}]
    summed = procmodel.summary(passes)
    # then each measure is the median with the req/s range, and the load spans the first pass to the last
    assert summed["page"]["8"] == {"rps": 20.0, "rps_range": [9.0, 22.0], "p50": 380, "p95": 760, "cpu_ms": 50.0,
                                   "load": ["5.00 1 1", "4.50 1 1"]}
    assert summed["mixed"]["rps"] == 40.0 and summed["rss_mib"] == 310 and summed["passes"] == passes


def test_process_model_table_names_the_model_that_served_most():
    def measure(rps, p50):
        return {"rps": rps, "rps_range": [rps - 2, rps + 1], "p50": p50, "p95": p50 * 2, "cpu_ms": 2000 / rps,
                "load": ["5.00 4.00 3.00", "6.50 4.00 3.00"]}

    models = [{"workers": 1, "threads": 8, "rss_mib": 120.4, "page": {"8": measure(20.0, 380), "16": measure(21.0, 700)},
               "mixed": measure(40.0, 150)},
              {"workers": 3, "threads": 2, "rss_mib": 330.0, "page": {"8": measure(26.5, 290), "16": measure(20.5, 760)},
               "mixed": measure(52.0, 120)}]
    text = procmodel.render({"scale": "county", "clients": [8, 16], "seconds": 10, "rounds": 3, "models": models,
                             "load": ["5.00 4.00 3.00", "7.00 5.00 3.00"], "measured": "2026-11-30 23:59 CST",
                             "database": "bench_prov_county_x", "machine": {"nproc": 2, "cpu": "AMD EPYC"}})
    assert ("| 3 × 2 | 26.5 (24.5–27.5) · 290 · 580 · 75 | 20.5 (18.5–21.5) · 760 · 1520 · 98 | "
            "52.0 (50.0–53.0) · 120 · 240 · 38 | 330 | 5.00 → 6.50 |") in text
    assert "Most requests per second: page at 8 clients 3×2; page at 16 clients 1×8; mixed load 3×2." in text
    assert "--models 1x8,3x2 --clients 8,16 --seconds 10 --rounds 3" in text


def test_generation_table_keeps_the_rows_of_scales_generated_elsewhere(doc, tmp_path, monkeypatch):
    import json

    # given a doc that shows three scales' generation, and this checkout generated only the county
    doc.write_text(f"{run.SECTION}\n\n| scale | organizations |\n|---|--:|\n"
                   "| province | 54,630 | 1,000,000 | 3290 s |\n| city | 3,905 | 71,429 | 287 s |\n"
                   "| county | 550 | 10,000 | 90 s |\n\nProvince extrapolated …: from city: 57.0 min, from county: 65.9 min; "
                   f"target ≤ 15 min.\n\n{common.BLOCK}county\n\n| county | not a generation row |\n")
    monkeypatch.setattr(run, "LOGS", tmp_path)
    (tmp_path / "generation-county.json").write_text(json.dumps({
        "organizations": 550, "children": 10_000, "guardians": 13_345, "wishes": 20_000, "claims": 16_797,
        "programs": {"volunteer": 2_000}, "seconds": 45.0, "timings": {"migrate": 23.0, "programs": 1.0},
        "load": "8.80 3.47 1.34", "finished": "2026-11-30T23:33+08:00"}))
    lines = run.generation_table()
    # then province and city keep their rows, the county row and its extrapolation come from this checkout
    assert [line.split(" | ")[0] for line in lines if line.startswith("| ") and line[2:].split(" ")[0] in
            common.SCALES] == ["| province", "| city", "| county"]
    assert "| county | 550 | 10,000 | 13,345 | 20,000 | 16,797 | 2,000 | 45 s (1 s) | 8.80 3.47 1.34 |" in "\n".join(lines)
    assert "from city: 57.0 min, from county: 36.7 min; target ≤ 15 min." in lines[-2]


def test_server_cpu_counts_the_master_and_its_workers():
    import subprocess
    import sys
    import time

    # given a parent process with two children that burn CPU, and a process outside the tree
    burn = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time\n"
                               f"kids = [subprocess.Popen([sys.executable, '-c', {burn!r}]) for _ in range(2)]\n"
                               "time.sleep(30)"])
    outsider = subprocess.Popen([sys.executable, "-c", burn])
    try:
        deadline = time.monotonic() + 25  # the machine is shared: the burn may take a while
        while run.server_cpu_seconds(parent.pid) < 1.2 and time.monotonic() < deadline:
            time.sleep(0.5)
        # then the tree's CPU time is both children's and the parent's (not the outsider's)
        assert len(run.server_processes(parent.pid)) == 3
        assert 1.2 <= run.server_cpu_seconds(parent.pid) < 1.7
        assert procmodel.server_rss_mib(parent.pid) > 10
    finally:
        for proc in run.server_processes(parent.pid)[::-1]:
            subprocess.run(["kill", proc.name], check=False)
        outsider.kill()


def test_a_plans_only_run_rewrites_only_the_list_plans_of_its_block(doc, tmp_path, monkeypatch):
    monkeypatch.setattr(run, "LOGS", tmp_path)  # no generation table from this checkout's runs
    # given a county block with the full run's figures, its list plans and its findings
    old = [run.LIST_PLANS, "", "| old plans |", "", "#### Findings", "", "- kept"]
    common.write_scale_block(run.SECTION, ["intro", ""], "county", new_block() + "\n" + "\n".join(old) + "\n")
    # when a plans-only run writes its table (the 20 samples unless told otherwise)
    run.replace_list_plans("county", ["Re-checked alone", "", "| new plans |"])
    # then the block holds the new table where the old one was, and the rest as it was
    county = common.scale_blocks(run.SECTION)["county"]
    assert "| new plans |" in county and "| old plans |" not in county
    assert county.index("23:50 CST") < county.index("| new plans |") < county.index("#### Findings")
    assert "- kept" in county and run.PLAN_SAMPLES == 20
    # and a scale without a block is left alone
    run.replace_list_plans("city", ["| new plans |"])
    assert list(common.scale_blocks(run.SECTION)) == ["county"]


def test_interleaved_calls_take_turns_and_each_ratio_is_the_median_over_rounds():
    order, times = [], {"ours": iter([0.010, 0.020, 0.012, 0.011]), "peer": iter([0.005, 0.020, 0.006, 0.011])}

    def call(name):
        def timed():
            order.append(name)
            return {}, {"seconds": next(times[name])}
        return timed

    result = run.interleaved({"ours": call("ours"), "peer": call("peer")}, requests=3, warmup=1)

    assert order == ["ours", "peer"] * 4  # one warm-up round, then three, each server in turn
    assert result["ours"]["p50"] == 12.0 and result["peer"]["p50"] == 11.0
    assert result["peer"]["ratio"] == 1.0  # rounds: 0.020/0.020, 0.012/0.006, 0.011/0.011 -> median 1.0
    assert result["ours"]["ratio"] == 1.0 and len(result["load"]) == 2


def test_alternating_runs_start_each_round_with_the_next_server_and_each_ratio_is_the_median_over_rounds(monkeypatch):
    order, rates = [], {"ours": iter([100.0, 60.0, 90.0]), "peer": iter([50.0, 120.0, 100.0])}

    def concurrent(make_call, clients, seconds, warmup_seconds=3, server=None):
        name = make_call()
        order.append((name, server))
        return {"rps": next(rates[name]), "p50": 10.0, "pg_cpu_ms": 1.5, "client_cpu_ms": 0.5,
                **({"cpu_ms": 4.0} if server else {})}

    monkeypatch.setattr(run, "concurrent", concurrent)
    result = run.alternating({"ours": lambda: "ours", "peer": lambda: "peer"}, clients=8, seconds=5, rounds=3,
                             servers={"ours": 7})

    assert order == [("ours", 7), ("peer", None), ("peer", None), ("ours", 7), ("ours", 7), ("peer", None)]
    assert result["ours"]["rps"] == 90.0 and result["peer"]["rps"] == 100.0
    assert result["peer"]["ratio"] == 0.9  # rounds: 100/50, 60/120, 90/100 -> median 0.9
    assert result["ours"]["cpu_ms"] == 4.0 and "cpu_ms" not in result["peer"]
    assert result["peer"]["pg_cpu_ms"] == 1.5 and result["peer"]["client_cpu_ms"] == 0.5
    assert result["rounds"] == 3 and len(result["load"]) == 2


def test_the_peers_table_shows_the_interleaved_throughput_and_the_findings_judge_by_it():
    r = results()
    r["pgl5"] = r["pgl"]
    r["pgl5_c8"] = {"p50": 55.0, "rps": 130.0}
    cpu = {"pg_cpu_ms": 1.5, "client_cpu_ms": 0.5}
    c8 = {"ours": {"rps": 118.0, "p50": 60.0, "cpu_ms": 12.5, **cpu},
          "pgl": {"rps": 120.0, "p50": 58.0, "ratio": 0.97, "cpu_ms": 2.25, **cpu},
          "pgl5": {"rps": 131.0, "p50": 55.0, "ratio": 0.9, "cpu_ms": 2.0, **cpu}, "rounds": 3, "seconds": 10.0,
          "load": ["2.00 1.00 1.00", "3.00 1.00 1.00"]}
    lines = run.peer_versions_text({**r, "paired_c8": c8}, 8)
    assert row(lines, "8 clients") == ["8 clients", "118", "120", "131", "0.97×", "0.90×", "2.00 → 3.00"]
    assert row(lines, "ours (gunicorn)") == ["ours (gunicorn)", "12.50", "1.50", "0.50", "14.50"]
    assert row(lines, "PostGraphile 4 (Node)") == ["PostGraphile 4 (Node)", "2.25", "1.50", "0.50", "4.25"]
    assert not any(line.startswith("| 8 clients |") for line in run.peer_versions_text(r, 8))
    r["summary"] = {"scale": "county"}
    r["m2"]["masked 50"].update(sql_ms=5.0, server_ms=17.0)
    judged = [line for line in run.findings(Namespace(clients=8), {**r, "paired_c8": c8}) if "Throughput" in line]
    assert judged == ["- Throughput at 8 clients, interleaved (3 rounds): 118 req/s against PostGraphile 4's 120, "
                      "ours / v4 0.97× (PostGraphile 5 0.90×); target ≥ PostGraphile: **missed**."]


def test_postgresql_cpu_counts_the_processes_alive_at_the_end_from_their_ticks_at_the_start(monkeypatch):
    # a backend that exits between the readings takes its ticks with it: it must not count as negative time
    monkeypatch.setattr(run, "postgres_ticks", lambda: {"10": 150, "12": 30})
    monkeypatch.setattr(run.os, "sysconf", lambda name: 100)

    seconds = run.postgres_seconds_since({"10": 100, "11": 500})

    assert seconds == (50 + 30) / 100  # 10 ran 50 ticks, 12 started meanwhile, 11 exited
