// VS Code entry point: starts, restarts and stops the `mica lsp` language server for `.mica` files.

import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  LanguageClient,
  type Executable,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { describeServer, resolveServerPath } from "./serverPath";

/** Client id: VS Code reads the standard `mica.trace.server` setting from it. */
const CLIENT_ID = "mica";
const CLIENT_NAME = "Mica Language Server";
const OPEN_SETTINGS = "Open Settings";
const RETRY = "Retry";

let server: ServerController | undefined;

/** Called by VS Code on the first `.mica` file or in a workspace with a `mica.toml`. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME);
  const controller = new ServerController(output, context.extensionPath);
  server = controller;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("mica.restartServer", () => controller.restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Trace changes are picked up by the client itself; only the command line needs a new process.
      if (event.affectsConfiguration("mica.server")) {
        void controller.restart();
      }
    }),
    // In an untrusted workspace the workspace's own `mica.server.*` values are ignored; once trusted
    // they apply, and they may name another binary.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.restart()),
  );
  await controller.start();
}

/** Called by VS Code on shutdown; returning the promise lets the server exit cleanly. */
export async function deactivate(): Promise<void> {
  const controller = server;
  server = undefined;
  await controller?.stop();
}

/**
 * Owns the language client. Start, stop and restart are queued so that a restart requested while the
 * server is still starting (a settings change, a double click on the command) never leaves two servers.
 */
class ServerController {
  private client: LanguageClient | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly output: vscode.OutputChannel,
    /** The extension's folder; a platform-specific package has the server in its `server` folder. */
    private readonly extensionDir: string,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    const config = vscode.workspace.getConfiguration("mica");
    const setting = config.get<string>("server.path");
    const extraArgs = stringArray(config.get<unknown>("server.args"));
    const resolved = resolveServerPath({
      setting,
      extensionDir: this.extensionDir,
      pathEnv: process.env["PATH"],
      platform: process.platform,
      pathExt: process.env["PATHEXT"],
      homeDir: os.homedir(),
      cargoHome: process.env["CARGO_HOME"],
      baseDir: firstLocalWorkspaceFolder(),
      isExecutable,
    });
    if (!resolved.ok) {
      this.output.appendLine(resolved.message);
      void this.showError(resolved.message);
      return;
    }

    // No `transport` on purpose: with `TransportKind.stdio` the client would append `--stdio`, and
    // `mica lsp` always speaks over stdin/stdout without being told.
    const args = ["lsp", ...extraArgs];
    const executable: Executable = { command: resolved.path, args };
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    this.watcher = vscode.workspace.createFileSystemWatcher("**/mica.toml");
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "mica" },
        { scheme: "untitled", language: "mica" },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.output,
      synchronize: { fileEvents: this.watcher },
    };

    this.output.appendLine(describeServer(resolved));
    this.output.appendLine(`Starting ${resolved.path} ${args.join(" ")}`);
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
      const info = client.initializeResult?.serverInfo;
      if (info !== undefined) {
        this.output.appendLine(`Started ${info.name}${info.version === undefined ? "" : ` ${info.version}`}`);
      }
    } catch (error) {
      // The client has already shown its own notification; the log says which binary it was.
      this.output.appendLine(`Mica: the language server '${resolved.path}' failed to start: ${describe(error)}`);
      await this.stopNow();
    }
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.dispose();
      } catch (error) {
        // A server that already died cannot be stopped cleanly; that must not block a restart.
        this.output.appendLine(`Mica: stopping the language server failed: ${describe(error)}`);
      }
    }
    this.watcher?.dispose();
    this.watcher = undefined;
  }

  private async showError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, OPEN_SETTINGS, RETRY);
    if (choice === OPEN_SETTINGS) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "mica.server");
    } else if (choice === RETRY) {
      await this.restart();
    }
  }
}

/** The first workspace folder on disk, which relative `mica.server.path` values are resolved against. */
function firstLocalWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === "file")?.uri.fsPath;
}

/** Whether `candidate` is a file this process may execute (on Windows, existing is enough). */
function isExecutable(candidate: string): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** The setting's strings; a hand-edited `settings.json` may hold anything. */
function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
