"""Pictures of a folder's page in headless Chromium, at phone and at desktop width, the first
track paused a few seconds into its first hold (so the line said and the hold's count show)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def main(folder: Path, out: Path) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--mute-audio", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--force-device-scale-factor=1", f"--user-data-dir={tempfile.mkdtemp()}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        for name, (width, height) in SIZES.items():
            driver.set_window_size(width, height)
            driver.get((folder / "index.html").resolve().as_uri())
            time.sleep(1)
            driver.execute_script("""
                const track = document.querySelector("article.track"), audio = track.querySelector("audio");
                const [start, end] = JSON.parse(track.dataset.holds)[0];
                audio.currentTime = start + (end - start) * 0.4;
                document.querySelector("h1").scrollIntoView();""")
            time.sleep(1)
            path = out / f"page-{name}.png"
            driver.save_screenshot(str(path))
            print(path)
    finally:
        driver.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "docs"))
