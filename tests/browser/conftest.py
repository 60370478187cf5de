"""Real servers (Rasa, actions, console with the demo shop page) and Debian's Chromium, driven by Playwright.

Screenshots of every open page are written to results/browser/ when a test fails (the path is printed).
With SAVE_SCREENSHOTS=1 the tests also refresh the README's screenshots in docs/screenshots/.
"""

import os
from pathlib import Path
from typing import Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from customer_care.settings import PROJECT_ROOT
from tools.servers import DEFAULT_MODEL, STAFFED_AGENT, RunningAssistant, start_staffed_assistant

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FAILURE_SHOTS = PROJECT_ROOT / "results" / "browser"
README_SHOTS = PROJECT_ROOT / "docs" / "screenshots"
AGENT = STAFFED_AGENT
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Iterator[RunningAssistant]:
    """Every server, with support open around the clock so that a logged-in agent is on duty."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    running = start_staffed_assistant(tmp_path_factory.mktemp("browser"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package (apt-get install "
            "chromium), or set CHROMIUM to its path"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_contexts(request, browser: Browser) -> Iterator[List[BrowserContext]]:
    contexts: List[BrowserContext] = []
    yield contexts
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        FAILURE_SHOTS.mkdir(parents=True, exist_ok=True)
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                path = FAILURE_SHOTS / f"{request.node.name}-{number}-{page_number}.png"
                page.screenshot(path=str(path), full_page=True)
                print(f"screenshot of the failed test: {path}")
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(browser: Browser, open_contexts: List[BrowserContext]):
    """A page in a fresh browser context (its own cookies and localStorage): one per person."""

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        open_contexts.append(context)
        page = context.new_page()
        page.dialogs = []  # type: ignore[attr-defined]
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    return make


def save_readme_screenshot(page: Page, name: str) -> None:
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SHOTS / name))
