"""Start Debian's headless Chromium through chromedriver for the report tests."""

import contextlib
import os
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def _find(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    raise RuntimeError(f"none of {names} is installed (apt-get install chromium chromium-driver)")


@contextlib.contextmanager
def chromium(width=1280, height=1000):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM_BIN") or _find(["chromium", "chromium-browser"])
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars"):
        opts.add_argument(arg)
    service = Service(os.environ.get("CHROMEDRIVER") or _find(["chromedriver"]))
    driver = webdriver.Chrome(service=service, options=opts)
    try:
        yield driver
    finally:
        driver.quit()
