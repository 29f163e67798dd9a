"""The ``sasom`` command: operational verbs over Django's management commands.

    sasom demo [--members N] [--seed S] [--locale th|fa]   the database and the (Thai or Persian) demo organization
    sasom serve [--bind ADDR] [--workers N] [--threads N]   serve with gunicorn (sync WSGI)
    sasom worker                          run background tasks and the scheduled jobs
    sasom run-jobs [--date D] [--job NAME] [--organization CODE]   the scheduled jobs, for cron
    sasom <any manage.py command>         e.g. ``sasom migrate``, ``sasom createsuperuser``
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def _manage(*argv: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sasom", *argv])


# The access log names the path without its query string: lookups carry phone and card numbers
# there (``/api/v1/members/lookup?phone=...``), and personal data never goes to logs (PDPA).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="sasom serve")
    parser.add_argument("--bind", default=os.environ.get("SASOM_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SASOM_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SASOM_THREADS", "4")))
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument(
        "--no-worker", action="store_true",
        help="do not start a background worker beside the server (run 'sasom worker' yourself)",
    )
    args = parser.parse_args(argv)
    _django_setup()
    from django.conf import settings

    if not args.no_migrate:
        _manage("migrate", "--no-input", "-v", "0")
    if settings.PRODUCTION:
        _manage("collectstatic", "--no-input", "-v", "0")
    if not args.no_worker:
        # One shop, one machine: the server brings its worker along (batches, webhooks), so the
        # demo and small installs need no second command. Larger ones run 'sasom worker' apart.
        import atexit
        import subprocess

        worker_process = subprocess.Popen([sys.executable, "-m", "sasom.cli", "worker"])
        atexit.register(worker_process.terminate)
    print(f"Sasom is serving on http://{args.bind}/  (Ctrl+C stops it)", flush=True)
    from gunicorn.app.wsgiapp import run

    # gthread keeps HTTP keep-alive connections open for POS clients; Django over ASGI was
    # measured about ten times slower on these machines (docs/decisions/0001-stack.md).
    sys.argv = [
        "gunicorn",
        "sasom.wsgi:application",
        "--bind", args.bind,
        "--workers", str(args.workers),
        "--worker-class", "gthread",
        "--threads", str(args.threads),
        "--keep-alive", "30",
        "--config", "python:sasom.gunicorn_conf",  # each worker's heap settled (sasom.core.heap)
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        # gunicorn's largest request line: a long lookup gets the API's own 422/404, not a bare 414
        "--limit-request-line", "8190",
    ]
    from gunicorn.config import KNOWN_SETTINGS

    if any(setting.name == "control_socket" for setting in KNOWN_SETTINGS):
        # gunicorn (25.1+) opens a control socket at one fixed path by default: two servers on one
        # machine (two shops, a test beside the live one) would take each other's. One per address.
        name = "".join(c if c.isalnum() else "-" for c in args.bind)
        sys.argv += ["--control-socket", str(Path(settings.DATA_DIR) / f"gunicorn-{name}.ctl")]
    run()


def demo(argv: list[str]) -> None:
    _django_setup()
    _manage("migrate", "--no-input", "-v", "0")
    _manage("sasom_demo", *argv)


def worker(argv: list[str]) -> None:
    _django_setup()
    if not any(a in ("--reload", "--no-reload") for a in argv):
        argv = ["--no-reload", *argv]
    # the scheduler's tick (core.tasks): runs the jobs due, then queues itself again
    from sasom.core.background import imports_resume
    from sasom.core.tasks import jobs_tick_ensure

    jobs_tick_ensure()
    imports_resume()  # large imports a stopped worker left half-way start again from their stored upload
    _manage("db_worker", *argv)


def run_jobs(argv: list[str]) -> None:
    _django_setup()
    _manage("run_jobs", *argv)


VERBS = {"serve": serve, "demo": demo, "worker": worker, "run-jobs": run_jobs}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    verb, rest = argv[0], argv[1:]
    if verb in VERBS:
        VERBS[verb](rest)
        return
    _django_setup()
    _manage(verb, *rest)


if __name__ == "__main__":
    main()
