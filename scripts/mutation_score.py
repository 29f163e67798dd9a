"""Print the mutation score of the last ``mutmut run`` (scripts/mutation.sh).

score = killed / (mutants tested - equivalent mutants). The equivalent mutants (a change that no
test can see, because the program behaves the same) are listed, each with its reason, in
docs/testing.md under "Equivalent mutants": lines of the form ``- `mutant name`: reason``.
Every other survivor is printed so that a test can be added for it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 90.0


def equivalent_names() -> set[str]:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = text.split("### Equivalent mutants", 1)[-1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))


def results() -> dict[str, str]:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=ROOT, check=True, capture_output=True, text=True)
    found: dict[str, str] = {}
    for line in out.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            found[name] = status
    return found


def main() -> int:
    found = results()
    equivalent = equivalent_names()
    counts = Counter(found.values())
    survivors = sorted(n for n, s in found.items() if s != "killed" and n not in equivalent)
    stale = sorted(equivalent - set(found))
    tested = len(found) - len(equivalent & set(found))
    killed = counts["killed"]
    score = 100.0 * killed / tested if tested else 0.0
    print(f"mutants: {len(found)}  " + "  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    print(f"equivalent (docs/testing.md): {len(equivalent & set(found))}")
    for name in survivors:
        print(f"  not killed: {name} ({found[name]})")
    for name in stale:
        print(f"  listed as equivalent but no longer a mutant: {name}")
    print(f"score: {killed}/{tested} = {score:.1f} % of non-equivalent mutants killed (target {TARGET:.0f} %)")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
