"""``sasom demo``: build the demo organization (see :mod:`sasom.demo`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sasom.demo.build import DemoError, demo_build, demo_wipe
from sasom.demo.persian import FA_CODE, persian_demo_build


class Command(BaseCommand):
    help = ("Create the demo organization (a Thai mini-mart chain), its staff and members; with --locale fa, "
            "the Persian demo organization (a Tehran shop) beside it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=500, help="how many members (default 500)")
        parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same demo")
        parser.add_argument("--reset", action="store_true", help="wipe the existing demo and build it again")
        parser.add_argument("--locale", choices=["th", "fa"], default="th",
                            help="th: the Thai demo (default); fa: the Persian demo organization beside it")

    def handle(self, *args, members: int, seed: int, reset: bool, locale: str = "th", **options) -> None:
        if members < 0:
            raise CommandError("--members must be 0 or more")
        if locale == "fa":
            self.stdout.write(f"Building the Persian Sasom demo (up to {min(members, 300):,} members, seed {seed})…")
            try:
                if reset:
                    demo_wipe(FA_CODE)
                persian_demo_build(members=members, seed=seed, out=self.stdout.write)
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            return
        self.stdout.write(f"Building the Sasom demo ({members:,} members, seed {seed})…")
        try:
            demo_build(members=members, seed=seed, reset=reset, out=self.stdout.write)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
