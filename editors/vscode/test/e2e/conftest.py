"""Fixtures of the VS Code end-to-end test: code-server with the built .vsix, and Chromium driving it.

`run.sh` installs code-server and builds nothing; it passes, in the environment:
  CODE_SERVER      the code-server launcher (install-code-server.sh prints it)
  MICA_VSIX        the platform-specific .vsix under test (with server/mica inside)
  MICA_REPO        the repository root (the example workspace is copied from it)
  MICA_E2E_SCREENSHOTS  where a failing test leaves a screenshot and the page's text (default: a temp dir)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

# The brief under test and the quote in it that the workspace copy breaks.
BRIEF = Path("spec/examples/mic2025-brief.mica")
GOOD_QUOTE = "the CCP invested more than $300 billion to establish 33 innovation centers"
BROKEN_QUOTE = "the CCP invested more than $400 billion to establish 33 innovation centers"


@dataclass
class VSCode:
    """A running code-server with the workspace open in Chromium."""

    driver: webdriver.Chrome
    url: str
    workspace: Path
    user_data: Path
    extensions: Path
    log: Path
    process: subprocess.Popen


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set; run editors/vscode/test/e2e/run.sh", returncode=2)
    return value


def _free_port() -> int:
    # Bound to the loopback interface only, like the server itself.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_workspace(repo: Path, workspace: Path) -> None:
    """The repository's workspace: mica.toml, seeds/ and the example brief, with one quote broken."""
    workspace.mkdir(parents=True)
    shutil.copy2(repo / "mica.toml", workspace / "mica.toml")
    shutil.copytree(repo / "seeds", workspace / "seeds")
    (workspace / BRIEF.parent).mkdir(parents=True)
    text = (repo / BRIEF).read_text(encoding="utf-8")
    assert text.count(GOOD_QUOTE) == 1, f"{BRIEF} no longer holds the quote the test breaks"
    (workspace / BRIEF).write_text(text.replace(GOOD_QUOTE, BROKEN_QUOTE), encoding="utf-8")


def _server_env(tmp: Path) -> dict[str, str]:
    """An environment in which no `mica` can be found but the bundled one: PATH holds only node and
    the system folders, and HOME and CARGO_HOME are empty folders, so `~/.cargo/bin` has nothing."""
    node_dir = str(Path(shutil.which("node") or "/usr/bin/node").resolve().parent)
    path = os.pathsep.join(dict.fromkeys([node_dir, "/usr/local/bin", "/usr/bin", "/bin"]))
    found = shutil.which("mica", path=path)
    assert found is None, f"a `mica` on the test's PATH ({found}) would hide the bundled binary"
    home = tmp / "home"
    home.mkdir()
    env = {
        "PATH": path,
        "HOME": str(home),
        "CARGO_HOME": str(home / ".cargo"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }
    return env


@pytest.fixture(scope="session")
def vscode() -> VSCode:
    code_server = _env("CODE_SERVER")
    vsix = Path(_env("MICA_VSIX")).resolve()
    repo = Path(_env("MICA_REPO")).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="mica-vscode-e2e-"))
    workspace = tmp / "workspace"
    user_data = tmp / "user-data"
    extensions = tmp / "extensions"
    _copy_workspace(repo, workspace)
    env = _server_env(tmp)

    settings = user_data / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        json.dumps(
            {
                "telemetry.telemetryLevel": "off",
                "workbench.startupEditor": "none",
                "workbench.tips.enabled": False,
                "security.workspace.trust.enabled": False,
                "extensions.autoCheckUpdates": False,
                "extensions.autoUpdate": False,
                "update.mode": "none",
                "editor.minimap.enabled": False,
                "editor.hover.delay": 100,
                "editor.lightbulb.enabled": "on",
                "window.restoreWindows": "none",
            },
            indent=2,
        )
    )

    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    subprocess.run(
        [code_server, *common, "--install-extension", str(vsix)],
        env=env,
        check=True,
        timeout=120,
    )

    port = _free_port()
    log = tmp / "code-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                code_server,
                *common,
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                "--ignore-last-opened",
                str(workspace),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/?folder={workspace}"
    driver = None
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log)
        options = Options()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for arg in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1600,1000",
            "--no-first-run",
            "--disable-extensions",
            "--user-data-dir=" + str(tmp / "chromium"),
        ):
            options.add_argument(arg)
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(60)
        driver.get(url)
        yield VSCode(driver, url, workspace, user_data, extensions, log, process)
    finally:
        if driver is not None:
            driver.quit()
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if os.environ.get("KEEP_TMP") == "1":
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"code-server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"code-server did not answer on {url} within {timeout}s:\n{log.read_text(errors='replace')}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, save a screenshot and the page's text for debugging, and say where."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    session = item.funcargs.get("vscode")
    if session is None:
        return
    folder = Path(os.environ.get("MICA_E2E_SCREENSHOTS") or tempfile.gettempdir()) / "mica-vscode-e2e-failures"
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{item.name}.png"
    try:
        session.driver.save_screenshot(str(png))
        (folder / f"{item.name}.txt").write_text(session.driver.find_element("tag name", "body").text)
        report.sections.append(("screenshot", f"saved {png} and {png.with_suffix('.txt')}"))
    except Exception as error:  # noqa: BLE001 - a failed screenshot must not hide the real failure
        report.sections.append(("screenshot", f"could not save a screenshot: {error}"))
