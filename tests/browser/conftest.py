"""Browser tests: Playwright drives the system's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside it
# unless told that this (single-threaded) use is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def _chromium_path() -> str | None:
    path = os.environ.get("SASOM_CHROMIUM") or "/usr/bin/chromium"
    if Path(path).exists():
        return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (set SASOM_CHROMIUM to its path)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=None)`` opens a fresh browser session (own cookies) on the live server."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url, locale="th-TH", viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go (``SASOM_SCREENSHOTS`` keeps them somewhere you choose)."""
    chosen = os.environ.get("SASOM_SCREENSHOTS")
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
