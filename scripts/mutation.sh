#!/usr/bin/env bash
# Mutation testing of the pure engines (mutmut; not part of CI). docs/testing.md has the score,
# the scope and every surviving mutant with its reason.
#   scripts/mutation.sh                 mutate, run the fast tests against every mutant, print the score
#   scripts/mutation.sh show NAME       the diff of one mutant (names come from the list of survivors)
# What is mutated and which tests run: [tool.mutmut] in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,mutation]"
export PYTHONDONTWRITEBYTECODE=1

if [ "${1:-}" = "show" ]; then
  shift
  exec .venv/bin/mutmut show "$@"
fi

# A fresh start: mutants/ is mutmut's working copy of src/ (ignored by git). Given mutant names,
# only those run again (after a test was added for them), on the mutants/ of the last run.
[ $# -gt 0 ] || rm -rf mutants
.venv/bin/mutmut run --max-children "${SASOM_MUTATION_WORKERS:-2}" "$@" | tr '\r' '\n' | tail -n 2
.venv/bin/python scripts/mutation_score.py
