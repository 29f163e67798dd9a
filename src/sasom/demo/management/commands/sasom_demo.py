"""``sasom demo``: build the demo organization (see :mod:`sasom.demo`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sasom.demo.build import DemoError, demo_build


class Command(BaseCommand):
    help = "Create the demo organization (a Thai mini-mart chain), its staff and members."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=500, help="how many members (default 500)")
        parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same demo")
        parser.add_argument("--reset", action="store_true", help="wipe the existing demo and build it again")

    def handle(self, *args, members: int, seed: int, reset: bool, **options) -> None:
        if members < 0:
            raise CommandError("--members must be 0 or more")
        self.stdout.write(f"Building the Sasom demo ({members:,} members, seed {seed})…")
        try:
            demo_build(members=members, seed=seed, reset=reset, out=self.stdout.write)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
