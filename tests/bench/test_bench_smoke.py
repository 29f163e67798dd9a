"""The benchmark harness runs end to end on tiny data (SQLite only) and prints its table.

No timing is asserted here: the numbers of a shared CI machine mean nothing; the full run
(``bash scripts/bench.sh``) records them in docs/performance.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_prints_every_row(tmp_path):
    # given a clean environment (no DATABASE_URL: the smoke mode measures SQLite in its own folder)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SASOM_DATA_DIR", "DJANGO_SETTINGS_MODULE")}
    env["SASOM_BENCH_HTTP_PORT"] = str(18400 + os.getpid() % 500)
    # when the harness runs in smoke mode
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--mode", "smoke", "--json", str(tmp_path / "raw.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,  # a loaded 2-core runner
    )
    # then it finishes and prints a table with a row for every benchmark that applies without PostgreSQL
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| B")]
    assert {line.split("|")[1].strip() for line in table} == {"B2", "B3", "B4", "B5", "B6", "B7"}
    assert "| id | database | what | measured | target | met |" in proc.stdout
    assert (tmp_path / "raw.json").exists()
