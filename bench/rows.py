"""The table rows of B2, B3 and B4 (docs/performance.md), from the steps' raw results."""

from __future__ import annotations

from typing import Any


def b2_rows(bench: Any, b2: dict, b1: dict | None) -> None:
    """The engine at 50 / 200 / 2,000 rules against B1's app CPU per sale in the same run."""
    m50, m200, m2000 = (b2[k]["median_us"] for k in ("50", "200", "2000"))
    if b1 is not None:
        share = m200 / (1000 * b1["app_cpu_ms_per_sale"])
        bench.row("B2", "none", "10-line basket, 50 / 200 / 2,000 rules (median) / B1's app server CPU per sale",
                  f"{m50:.0f} / {m200:.0f} / {m2000:.0f} us; at 200 = {100 * share:.1f} % of "
                  f"{b1['app_cpu_ms_per_sale']:.2f} ms", "<= 10 % at 200", share <= 0.10)
    else:
        bench.row("B2", "none", "10-line basket, 50 / 200 / 2,000 rules (median; no B1 in this run)",
                  f"{m50:.0f} / {m200:.0f} / {m2000:.0f} us", "<= 10 % of B1's app CPU per sale at 200", None)
    bench.row("B2", "none", "2,000 rules cost vs 200 (CPU per call, sizes interleaved)", f"{m2000 / m200:.2f}x "
              f"(candidates {b2['200']['candidates']} / {b2['2000']['candidates']}, awards {b2['200']['awards']} / "
              f"{b2['2000']['awards']} per basket)", "<= 1.2x", m2000 / m200 <= 1.2)
    if "200+1800" in b2:
        m_un = b2["200+1800"]["median_us"]
        bench.row("B2", "none", "200 rules + 1,800 that cannot apply vs the 200 alone (the index's cost)",
                  f"{m_un / m200:.2f}x (candidates {b2['200']['candidates']} / {b2['200+1800']['candidates']})",
                  "<= 1.2x", m_un / m200 <= 1.2)


def b3_rows(bench: Any, db: str, small: dict, big: dict) -> None:
    """The day-end batch against the sum of its unavoidable parts: parsing the file, the engine
    over the same documents, COPY of the rows it stored (all measured in the same process)."""
    total = big["stage_s"] + big["post_s"]
    floor = big["parse_s"] + big["engine_s"] + big["copy_s"]
    ratio = total / floor
    bench.row("B3", db, f"{big['posted']:,} of {big['docs']:,} docs staged and posted ({big['how']}) / "
              f"parse + engine + COPY of the {big['copy_rows']:,} rows stored",
              f"{total:.1f} s / ({big['parse_s']:.1f} + {big['engine_s']:.1f} + {big['copy_s']:.1f} s) = {ratio:.2f}x "
              f"({big['posted'] / total:.0f} docs/s; load average {_load(big)})", "<= 1.5x", ratio <= 1.5)
    bench.row("B3", db, f"where the time goes at {big['docs']:,} docs (s)",
              f"parse {big['parse_s']:.1f}, stage {big['stage_db_s']:.1f}, engine {big['engine_s']:.1f}, "
              f"ledger inserts {big['insert_s']:.1f}, rest of posting {big['post_other_s']:.1f}", "(context)", None)
    peak = "post_rss_mb" if "post_rss_mb" in big else "peak_rss_mb"  # stage + post, without the reference
    mem = big[peak] / small[peak]
    bench.row("B3", db, f"peak memory: stage+post {big['docs']:,} vs stage+post {small['docs']:,}",
              f"{big[peak]:.0f} MB / {small[peak]:.0f} MB = {mem:.2f}x (with the COPY reference's read-back: "
              f"{big['peak_rss_mb']:.0f} / {small['peak_rss_mb']:.0f} MB)", "<= 1.2x", mem <= 1.2)


def _load(step: dict) -> str:
    before, after = step.get("load", ("?", "?"))
    return f"{before} before, {after} after"


def b4_rows(bench: Any, db: str, b4: dict) -> None:
    """Expiry against one set-based statement, every run (the spread is the stability). The
    reference commits as the job does (its deferred foreign-key checks and WAL flush are part of
    the work); the statement alone, without its commit, is shown beside it."""
    runs = ", ".join(f"{r['ratio']:.2f}x" for r in b4["runs"])
    first = b4["runs"][0]
    bench.row("B4", db, f"expire {b4['due_lots']:,} due of {b4['lots']:,} lots in {b4['due_accounts']:,} of "
              f"{b4['accounts']:,} accounts: one statement, committed / the job, {len(b4['runs'])} runs "
              f"(order alternated, tables vacuumed and checkpointed before each side)",
              f"{first['reference_s']:.2f} s / {first['job_s']:.2f} s first; runs {runs} (median "
              f"{b4['ratio_median']:.2f}x, spread {b4['ratio_min']:.2f}-{b4['ratio_max']:.2f}x)",
              ">= 0.5x in every run", b4["ratio_min"] >= 0.5 and b4.get("same_points", True))
    alone = ", ".join(f"{r['statement_ratio']:.2f}x" for r in b4["runs"])
    bench.row("B4", db, "the statement alone (its commit not counted) / the job",
              f"{first['statement_s']:.2f} s / {first['job_s']:.2f} s first; runs {alone}", "(context)", None)
    bench.row("B4", db, "idempotent rerun (slowest of the runs)", f"{b4['rerun_s']:.3f} s, {b4['rerun_points']} points",
              "< 1 s", b4["rerun_s"] < 1 and b4["rerun_points"] == 0)
