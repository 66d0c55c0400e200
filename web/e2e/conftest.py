"""Browser tests of the web client: pytest + Playwright (Python) driving the system chromium against a real
Django server (runserver on a free port, its own SQLite file and VAR_DIR, the demo data, rollups refreshed).

Run with `make test-web` (builds the client first). Chromium comes from the OS, never from a Playwright
download: $PLAYWRIGHT_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH (Debian:
`apt-get install chromium`). Without one, or without a built client, every test is skipped with the reason.
Screenshots of the main screens go to $WEB_SCREENSHOTS (make screenshots: docs/screenshots/).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("WEB_DIST_DIR", ROOT / "web" / "dist"))
# Screenshots of the main screens: into a scratch folder by default; `make screenshots` (WEB_SCREENSHOTS=docs/
# screenshots) refreshes the ones the README shows, so an ordinary test run leaves the working tree clean.
SCREENSHOTS = Path(os.environ.get("WEB_SCREENSHOTS") or Path(tempfile.gettempdir()) / "tw-e2e-screenshots")
if not SCREENSHOTS.is_absolute():
    SCREENSHOTS = ROOT / SCREENSHOTS
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
SERVER = {}  # the live server's environment (database, VAR_DIR), for server_shell

# Accounts the tests add beside the demo's: a VIEWER (rows, masked) and a member of the partner unit.
EXTRA_ACCOUNTS = f"""
from django.contrib.auth import get_user_model
from orgs.models import Organization
from permissions.actor import Actor
from permissions import services
User = get_user_model()
actor = Actor.system("e2e")
for username, name in (("baokang_league_reader", "保康团县委查看员"), ("nongshang_donor", "农商行爱心员工")):
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username, password={PASSWORD!r}, first_name=name)
county = Organization.objects.get(name="共青团保康县委")
unit = Organization.objects.get(name="保康县农商行")
services.grant_role(actor, organization_id=county.pk, role="VIEWER", username="baokang_league_reader")
services.add_unit_member(actor, unit_id=unit.pk, username="nongshang_donor")
"""


def chromium_path() -> str | None:
    explicit = os.environ.get("PLAYWRIGHT_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable(reason: str):
    """Without a built client or a chromium the browser tests cannot run: a developer's run skips with the reason;
    CI (E2E_REQUIRED=1, set by .ci/run) fails, since a browser test skipped there would hide a broken console."""
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server():
    if not (DIST / "index.html").is_file():
        unavailable(f"web client not built ({DIST}/index.html missing): run `make web` (needs Node 20 and npm)")
    var = Path(tempfile.mkdtemp(prefix="tw-e2e-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}", "VAR_DIR": str(var), "DEBUG": "1",
           "WEB_DIST_DIR": str(DIST), "DEMO_PASSWORD": PASSWORD}
    env.pop("REDIS_URL", None)
    env.pop("RABBITMQ_URL", None)
    SERVER["env"] = env
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.monotonic()
    for step in (["migrate", "--noinput", "-v", "0"], ["load_demo"], ["refresh_rollups"], ["shell", "-c", EXTRA_ACCOUNTS]):
        subprocess.run(manage + step, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(var / "server.log", "w")
    server = subprocess.Popen(manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/auth/csrf/", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError((var / "server.log").read_text())
            time.sleep(0.2)
    print(f"\nserver with demo data ready in {time.monotonic() - started:.1f}s at {url}")
    yield url
    server.terminate()
    server.wait(10)
    log.close()
    shutil.rmtree(var, ignore_errors=True)


def server_shell(code: str) -> None:
    """Runs Python with ``manage.py shell`` on the live server's database and files (e.g. to let time pass)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], cwd=ROOT, env=SERVER["env"],
                   check=True, capture_output=True)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        unavailable("no chromium on this machine: apt-get install chromium (or set PLAYWRIGHT_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def make(width=1366, height=900):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    page = new_context().new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert errors == [], f"uncaught errors in the page: {errors}"


def login(page, username, password=PASSWORD):
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("current-user").wait_for()
    return page


# What a county cadre must never read on a screen: an English sentence (three ASCII words or more), an
# UPPER_CASE code (VOLUNTEER_RATIO, HOME_VISIT), a username (maliang_league_staff). Technical words the users
# know stay allowed.
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,.'-]+[A-Za-z]{2,}){2,}\b")
UPPER_CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[A-Z]{5,}\b")
USERNAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ALLOWED = {"EXCEL", "EXIF"}


def language_problems(text: str) -> list[str]:
    found = ENGLISH_SENTENCE.findall(text) + USERNAME.findall(text)
    found += [code for code in UPPER_CODE.findall(text) if code not in ALLOWED]
    return found


def assert_chinese(page):
    """The visible text of the page, and the labels of its buttons, are Chinese: the language scan of issue 19."""
    page.wait_for_load_state("networkidle")
    text = page.locator("body").inner_text()
    assert language_problems(text) == [], f"English, codes or usernames on {page.url}: {language_problems(text)}"
    english_buttons = page.locator("button[aria-label]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label')).filter(l => /^[A-Za-z ]+$/.test(l))")
    assert english_buttons == [], f"buttons labelled in English on {page.url}: {english_buttons}"


def screenshot(page, name):
    """A screenshot of a rendered screen, which is also scanned for English, codes and usernames."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let charts finish their animation
    assert_chinese(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def phone(new_context):
    """A page at a phone's width (390 px), as the console must work there."""
    return new_context(width=390, height=844).new_page()


def tick(box) -> None:
    """Check a checkbox of a dialog that may still be opening: a click during antd's opening animation can be lost
    (seen in CI), so it is clicked again while it still shows unchecked."""
    expect(box).to_be_visible()
    for _ in range(5):
        if box.is_checked():
            return
        box.click()
        try:
            expect(box).to_be_checked(timeout=1000)
            return
        except AssertionError:
            continue
    expect(box).to_be_checked()


def assert_fits(page):
    """Nothing wider than the phone's screen: lists are cards, not a table to scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"{page.url} is {width} px wide at phone width"
