"""Take a screenshot of a rendered report with headless Chromium (the README's picture).

Usage: python3 screenshot.py REPORT.html OUT.png [--at ID] [--width 1100] [--height 1400]
"""

import argparse
import pathlib

from browser import chromium


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("html")
    ap.add_argument("png")
    ap.add_argument("--at", help="scroll so that this element id is at the top")
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=1400)
    a = ap.parse_args()
    with chromium(a.width, a.height) as driver:
        driver.get(pathlib.Path(a.html).resolve().as_uri() + (f"#{a.at}" if a.at else ""))
        driver.save_screenshot(a.png)


if __name__ == "__main__":
    main()
