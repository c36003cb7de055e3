"""The HTML report as a person sees it, in headless Chromium driven by Selenium.

Skipped, with the reason, when Selenium or a Chromium with its driver is not installed
(``.ci/run`` installs both: Debian's ``chromium`` and ``chromium-driver``, and ``selenium``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile

import pytest

from matcher.cli import app

from .conftest import resume_path

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

# Debian's names first; CHROMIUM and CHROMEDRIVER name others.
BROWSER = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (BROWSER and DRIVER),
    reason="no headless browser: install chromium and chromium-driver (apt-get), or set "
    "CHROMIUM and CHROMEDRIVER",
)
# A phone's width in CSS pixels (an iPhone 12-15).
PHONE = 390


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="matcher-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _viewport(driver, width: int, height: int = 900) -> None:
    # A window cannot be made narrower than ~500 px; the emulated viewport can.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The bundled default's report as HTML (the README's command) and as JSON, to compare."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    runner = CliRunner()
    resume = str(resume_path("ml_scientist", "pdf"))
    written = runner.invoke(app, ["match", resume, "--format", "html", "-o", str(page)])
    assert written.exit_code == 0, written.output
    data = json.loads(runner.invoke(app, ["match", resume, "--format", "json"]).stdout)
    return page, data


def test_titles_and_scores_are_what_the_json_says(browser, report):
    from selenium.webdriver.common.by import By

    page, data = report
    _viewport(browser, 1000)
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Job matches"
    cards = browser.find_elements(By.CSS_SELECTOR, "article.match")
    assert len(cards) == len(data["matches"]) == 10
    for card, match in zip(cards, data["matches"], strict=True):
        assert card.find_element(By.TAG_NAME, "h3").text == match["listing"]["title"]
        assert card.find_element(By.CLASS_NAME, "score").text == f"{match['score']:.3f}"
        assert card.find_element(By.CLASS_NAME, "score").is_displayed()
        assert match["coverage"]["text"] in card.text
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert headings == ["Best matches", "Asked skills across the matches", "Skills to add"]


def test_no_horizontal_scroll_on_a_phone(browser, report):
    page, _ = report
    _viewport(browser, PHONE)
    browser.get(page.as_uri())
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner == PHONE
    assert width <= PHONE, f"the page is {width} px wide on a {PHONE} px screen"


def test_screenshot_is_not_blank(browser, report):
    from PIL import Image

    page, _ = report
    _viewport(browser, PHONE, 844)
    browser.get(page.as_uri())
    image = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    assert image.size == (PHONE, 844)
    colours = image.getcolors(maxcolors=1 << 20) or []
    inked = sum(count for count, rgb in colours if sum(rgb) < 600)  # not white or near it
    assert len(colours) > 50, "the screenshot has almost no colours: nothing drawn"
    assert inked > 0.02 * PHONE * 844, "the screenshot is nearly all white"


def test_the_page_asks_for_nothing_from_the_network(browser, report):
    page, _ = report
    _viewport(browser, 1000)
    browser.get(page.as_uri())
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert fetched == []
    assert browser.execute_script("return document.scripts.length") == 0
