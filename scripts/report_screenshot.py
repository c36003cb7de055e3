"""Make docs/report.png, the README's picture of the HTML report on the bundled default.

    python scripts/report_screenshot.py          # needs chromium, chromium-driver, selenium

Runs ``matcher match fixtures/resumes/ml_scientist.pdf --format html -o report.html`` into a
temporary folder and photographs the top of the page at 900 x 1300 CSS pixels.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "report.html"
        resume = ROOT / "fixtures" / "resumes" / "ml_scientist.pdf"
        command = [sys.executable, "-m", "matcher", "match", str(resume), "--format", "html"]
        subprocess.run([*command, "-o", str(page)], check=True)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={Path(work) / 'profile'}")
        service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": 900, "height": 1300, "deviceScaleFactor": 1, "mobile": False},
            )
            driver.get(page.as_uri())
            target = ROOT / "docs" / "report.png"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(driver.get_screenshot_as_png())
            print(f"wrote {target.relative_to(ROOT)}")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
