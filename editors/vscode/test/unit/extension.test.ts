// Runs the real extension and vscode-languageclient against a fake `vscode` module and a fake `mica`
// server: start over stdio, server output and trace in the channel, restart by command and on settings
// changes, the error for a missing binary, and which binary is chosen (setting, bundled, PATH).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type * as vscode from "vscode";
import { activate, deactivate } from "../../src/extension";
import { INSTALL_HINT } from "../../src/serverPath";
import { fake } from "./fakeVscode";

/**
 * A minimal language server: answers `initialize` and `shutdown`, exits on `exit`, and appends its own
 * path, its arguments and every message it receives to the file named by MICA_FAKE_LOG.
 */
const FAKE_SERVER = String.raw`#!/usr/bin/env node
const fs = require("fs");
const log = (entry) => fs.appendFileSync(process.env.MICA_FAKE_LOG, JSON.stringify({ pid: process.pid, ...entry }) + "\n");
log({ bin: process.argv[1], argv: process.argv.slice(2) });
process.stderr.write("fake mica server says hello\n");
const send = (message) => {
  const body = JSON.stringify({ jsonrpc: "2.0", ...message });
  process.stdout.write("Content-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body);
};
let buffer = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.subarray(headerEnd + 4 + length);
    log({ method: message.method });
    if (message.method === "initialize") send({ id: message.id, result: { capabilities: {}, serverInfo: { name: "fake-mica", version: "9.9.9" } } });
    else if (message.method === "exit") process.exit(0);
    else if (message.id !== undefined && message.method !== undefined) send({ id: message.id, result: null });
  }
});
`;

interface LogEntry {
  pid: number;
  bin?: string;
  argv?: string[];
  method?: string;
}

const posixOnly = { skip: process.platform === "win32" ? "the fake server is a shebang script" : false };

// A broken stop leaves a server running and the run waiting on it: fail instead of hanging.
describe("the extension in a fake VS Code", { ...posixOnly, timeout: 30_000 }, () => {
  let dir: string;
  let logFile: string;
  const savedPath = process.env["PATH"];
  // The extension's own folder; the bundled-binary tests put a server in its `server` folder.
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: "" };

  function logEntries(): LogEntry[] {
    if (!fs.existsSync(logFile)) {
      return [];
    }
    return fs
      .readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as LogEntry);
  }

  /** Everything written to the one "Mica Language Server" channel. */
  function channelText(): string {
    const channels = fake.channels.filter((channel) => channel.name === "Mica Language Server");
    assert.equal(channels.length, 1, "the client must log to the extension's channel, not open its own");
    return channels[0]?.lines.join("") ?? "";
  }

  const starts = () => logEntries().filter((entry) => entry.argv !== undefined);
  const received = (method: string) => logEntries().filter((entry) => entry.method === method);

  /** Waits until the servers have logged what a clean stop sends (they log asynchronously). */
  async function eventually(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(check(), `timed out waiting for ${what}: ${JSON.stringify(logEntries())}`);
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mica-vscode-test-"));
    logFile = path.join(dir, "server.log");
    context.extensionPath = path.join(dir, "extension");
    fs.mkdirSync(context.extensionPath);
    fs.writeFileSync(path.join(dir, "mica"), FAKE_SERVER, { mode: 0o755 });
    process.env["MICA_FAKE_LOG"] = logFile;
    // The fake comes first; node stays reachable for its shebang line.
    process.env["PATH"] = `${dir}${path.delimiter}${savedPath ?? ""}`;
    fake.settings.set("mica.server.path", "mica");
    fake.settings.set("mica.server.args", ["--from-settings"]);
    fake.settings.set("mica.trace.server", "messages");
  });

  after(async () => {
    await Promise.race([deactivate(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    for (const disposable of context.subscriptions) {
      disposable.dispose();
    }
    // When a test has failed, servers may be left running, and they would keep this run alive.
    const exited = new Set(received("exit").map((entry) => entry.pid));
    for (const { pid } of starts()) {
      if (!exited.has(pid)) {
        try {
          process.kill(pid);
        } catch {
          // Already gone.
        }
      }
    }
    process.env["PATH"] = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("activation starts `mica lsp` with the extra arguments and completes the handshake", async () => {
    await activate(context as unknown as vscode.ExtensionContext);
    const [start] = starts();
    assert.deepEqual(start?.argv, ["lsp", "--from-settings"]);
    assert.equal(received("initialize").length, 1);
    await eventually(() => received("initialized").length === 1, "initialized");
    assert.deepEqual(fake.errors, []);
  });

  test("the server's standard error and the mica.trace.server trace appear in the output channel", async () => {
    await eventually(() => channelText().includes("fake mica server says hello"), "server output");
    assert.ok(channelText().includes(`Using the language server set in mica.server.path: ${path.join(dir, "mica")}\n`));
    assert.ok(channelText().includes(`Starting ${path.join(dir, "mica")} lsp --from-settings`));
    assert.ok(channelText().includes("Started fake-mica 9.9.9\n"), "the server's name and version");
    assert.match(channelText(), /Sending request 'initialize/);
  });

  test("`mica.restartServer` stops the server cleanly and starts a new one", async () => {
    const restart = fake.commands.get("mica.restartServer");
    assert.ok(restart, "the restart command is not registered");
    await restart();
    assert.equal(starts().length, 2);
    assert.equal(received("initialize").length, 2);
    await eventually(() => received("exit").length === 1, "the first server to exit");
    const [first, second] = starts();
    assert.notEqual(first?.pid, second?.pid);
    assert.deepEqual(received("shutdown").map((entry) => entry.pid), [first?.pid]);
  });

  test("a change to mica.server.args restarts the server with the new arguments", async () => {
    fake.changeSettings({ "mica.server.args": ["--changed"] });
    await eventually(() => received("initialize").length === 3, "a third server");
    assert.deepEqual(starts()[2]?.argv, ["lsp", "--changed"]);
  });

  test("restarts requested at the same time leave exactly one server running", async () => {
    const restart = fake.commands.get("mica.restartServer");
    assert.ok(restart);
    await Promise.all([restart(), restart(), restart()]);
    assert.equal(starts().length, 6);
    await eventually(() => received("exit").length === 5, "all but the last server to exit");
  });

  test("a change to an unrelated setting does not restart the server", async () => {
    fake.changeSettings({ "mica.trace.server": "verbose", "editor.tabSize": 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(starts().length, 6);
  });

  test("a missing binary stops the old server and explains how to install it", async () => {
    fake.errorChoices = ["Open Settings"];
    fake.changeSettings({ "mica.server.path": path.join(dir, "missing", "mica") });
    await eventually(() => fake.errors.length === 1, "the error message");
    const [error] = fake.errors;
    assert.equal(
      error?.message,
      `Mica: could not find the \`mica\` language server at '${path.join(dir, "missing", "mica")}'. ${INSTALL_HINT}`,
    );
    assert.deepEqual(error.items, ["Open Settings", "Retry"]);
    await eventually(() => fake.executed.length === 1, "the settings to open");
    assert.deepEqual(fake.executed[0], ["workbench.action.openSettings", "mica.server"]);
    await eventually(() => received("exit").length === 6, "every started server to exit");
    assert.equal(starts().length, 6);
    assert.ok(channelText().includes("could not find the `mica` language server"));
  });

  test("Retry looks for the binary again", async () => {
    fake.errorChoices = ["Retry"];
    await fake.commands.get("mica.restartServer")?.();
    await eventually(() => fake.errors.length === 3, "the error message after Retry");
    assert.equal(starts().length, 6);
  });

  test("an unset mica.server.path starts the binary bundled in the extension's server folder", async () => {
    const bundled = path.join(context.extensionPath, "server", "mica");
    fs.mkdirSync(path.dirname(bundled));
    fs.writeFileSync(bundled, FAKE_SERVER, { mode: 0o755 });
    fake.changeSettings({ "mica.server.path": "" });
    await eventually(() => received("initialize").length === 7, "the bundled server");
    assert.equal(starts()[6]?.bin, bundled);
    assert.ok(channelText().includes(`Using the language server bundled with the extension: ${bundled}\n`));
  });

  test("without a bundled binary, the one on PATH is used", async () => {
    fs.rmSync(path.join(context.extensionPath, "server"), { recursive: true });
    await fake.commands.get("mica.restartServer")?.();
    assert.equal(starts()[7]?.bin, path.join(dir, "mica"));
    assert.ok(channelText().includes(`Using the language server found on PATH: ${path.join(dir, "mica")}\n`));
    await eventually(() => received("exit").length === 7, "the bundled server to exit");
  });

  test("once the binary is there, Restart Server starts it, and deactivation stops it", async () => {
    fake.settings.set("mica.server.path", path.join(dir, "mica"));
    await fake.commands.get("mica.restartServer")?.();
    assert.equal(starts().length, 9);
    await deactivate();
    await eventually(() => received("exit").length === 9, "the last server to exit");
  });
});
