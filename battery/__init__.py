"""The reliability and security battery (docs/reliability.md).

``scripts/battery.sh`` runs every row (R1-R8) against a throwaway PostgreSQL cluster and a real
gunicorn server on loopback and writes the figures into docs/reliability.md. The scenarios here
are plain functions with their sizes as arguments, so ``tests/reliability/`` runs the same code,
scaled down, in the normal test suite.
"""
