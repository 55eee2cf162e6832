"""Fixtures for driving the real `mica lsp` binary with pytest-lsp, a client nobody here wrote.

The binary is `$MICA_BIN`, or `mica` under `$CARGO_TARGET_DIR` (default `target/`) of the
repository, debug profile: build it first with `cargo build -p mica-cli`.

Each test gets a fresh workspace: a copy of the repository's `mica.toml`, `seeds/` and the
example brief, so that the tests check the real corpus without touching the repository.
"""

import os
import pathlib
import shutil
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = pathlib.Path(__file__).resolve().parents[4]


def mica_bin() -> str:
    if os.environ.get("MICA_BIN"):
        return os.environ["MICA_BIN"]
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    exe = target / "debug" / ("mica.exe" if sys.platform == "win32" else "mica")
    if not exe.exists():
        raise RuntimeError(f"{exe} not found: run `cargo build -p mica-cli` or set MICA_BIN")
    return str(exe)


def make_workspace(root: pathlib.Path) -> pathlib.Path:
    shutil.copy(REPO / "mica.toml", root / "mica.toml")
    shutil.copytree(REPO / "seeds", root / "seeds")
    for f in (root / "seeds").iterdir():
        f.chmod(0o644)
    (root / "briefs").mkdir()
    shutil.copy(REPO / "spec" / "examples" / "mic2025-brief.mica", root / "briefs" / "brief.mica")
    return root


CONFIG = ClientServerConfig(server_command=[mica_bin(), "lsp"])


def accept_registrations(client: LanguageClient):
    """Accept the server's file watcher registrations, as the editors whose capabilities the
    fixtures borrow do (the bare test client would refuse them)."""

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        client.registrations = getattr(client, "registrations", []) + list(params.registrations)

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams):
        return None


def record_diagnostics(client: LanguageClient):
    """Keep every `publishDiagnostics` in order (`client.published`), so that a test can wait for
    one that arrived before it looked: pytest-lsp's `wait_for_notification` only sees the next
    notification after the call, and misses one of two that arrive together."""
    client.published = []
    # pytest-lsp registers its own handler (which keeps the latest diagnostics per URI), and
    # pygls allows one per method: wrap it.
    features = client.protocol.fm.features
    theirs = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def published(*args):
        client.published.append(args[-1])
        return theirs(*args)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = published


async def start(client: LanguageClient, root: pathlib.Path, spec: str):
    accept_registrations(client)
    record_diagnostics(client)
    params = types.InitializeParams(
        capabilities=client_capabilities(spec),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        root_uri=root.as_uri(),
    )
    return await client.initialize_session(params)


@pytest_lsp.fixture(config=CONFIG)
async def vscode(lsp_client: LanguageClient, request):
    """A client with VS Code's capabilities (UTF-16 positions)."""
    root = make_workspace(request.getfixturevalue("tmp_path"))
    lsp_client.root = root
    lsp_client.init_result = await start(lsp_client, root, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def neovim(lsp_client: LanguageClient, request):
    """A client with Neovim 0.11's capabilities (it offers UTF-8 positions)."""
    root = make_workspace(request.getfixturevalue("tmp_path"))
    lsp_client.root = root
    lsp_client.init_result = await start(lsp_client, root, "neovim")
    yield
    await lsp_client.shutdown_session()
