// Finds the `mica` binary that runs the language server: the `mica.server.path` setting, else the binary
// bundled in a platform-specific package, else `mica` on PATH (or in Cargo's `bin` folder).
//
// Everything the lookup depends on (PATH, platform, home folder, the extension's folder, the file-system
// probe) comes in as an argument, so the rules can be unit-tested on any host without VS Code and without
// real files.

import * as path from "node:path";

/** The binary looked up on PATH when `mica.server.path` is unset and no binary is bundled. */
export const DEFAULT_SERVER_COMMAND = "mica";

/** Where a platform-specific package keeps the server, relative to the extension's folder. */
export const BUNDLED_SERVER_DIR = "server";

/** How a person gets the server when it is missing; shown in the error message. */
export const INSTALL_HINT =
  "Install the Mica extension package built for your platform (it bundles the server), " +
  "or run `cargo install --locked --path crates/mica-cli` in the Mica repository, or set `mica.server.path`.";

/** What {@link resolveServerPath} needs to know about the machine. */
export interface ServerPathInput {
  /**
   * The `mica.server.path` setting as configured; `undefined`, empty or blank means "not set": the bundled
   * binary, else {@link DEFAULT_SERVER_COMMAND} on PATH.
   */
  readonly setting: string | undefined;
  /** The extension's own folder, which holds `server/mica` in a platform-specific package. */
  readonly extensionDir?: string | undefined;
  /** The `PATH` environment variable of the extension host. */
  readonly pathEnv: string | undefined;
  /** The host platform, as in `process.platform`; decides separators, PATH delimiter and PATHEXT handling. */
  readonly platform: NodeJS.Platform;
  /** The `PATHEXT` environment variable (Windows only); a standard list is used when it is unset. */
  readonly pathExt?: string | undefined;
  /** The user's home folder, for `~` and `${userHome}` in the setting and for `~/.cargo/bin`. */
  readonly homeDir?: string | undefined;
  /** The `CARGO_HOME` environment variable; `cargo install` puts binaries in its `bin` folder. */
  readonly cargoHome?: string | undefined;
  /** The folder that relative paths and `${workspaceFolder}` are resolved against (the first workspace folder). */
  readonly baseDir?: string | undefined;
  /** Whether an executable file exists at an absolute path. The only contact with the file system. */
  readonly isExecutable: (candidate: string) => boolean;
}

/**
 * Where a resolved server came from: the user's setting, the package's bundled binary, PATH, or Cargo's
 * `bin` folder (searched after PATH).
 */
export type ServerSource = "setting" | "bundled" | "path" | "cargo";

/** The outcome of {@link resolveServerPath}: an absolute path to run and where it came from, or a message for the user. */
export type ServerPathResult =
  | { readonly ok: true; readonly path: string; readonly source: ServerSource }
  | { readonly ok: false; readonly message: string };

const WINDOWS_DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD";

/**
 * Finds the server, in this order (as ruff's and rust-analyzer's extensions do):
 *
 * 1. The `mica.server.path` setting, when set. It is the user's explicit choice, so when it names
 *    nothing runnable that is an error, not a reason to fall back to another binary.
 * 2. The binary bundled in a platform-specific package (`server/mica` in the extension's folder).
 * 3. `mica` on PATH, then in Cargo's `bin` folder, because editors started from a desktop launcher often
 *    lack `~/.cargo/bin` on their PATH.
 *
 * A setting without a path separator is a command name, looked up like step 3. A setting with a separator
 * is a path: `~`, `${userHome}` and `${workspaceFolder}` are expanded and a relative path is taken from the
 * workspace folder. On Windows the PATHEXT extensions are tried too.
 */
export function resolveServerPath(input: ServerPathInput): ServerPathResult {
  const paths = input.platform === "win32" ? path.win32 : path.posix;
  const setting = input.setting?.trim() ?? "";
  if (setting === "") {
    const bundled = bundledServer(input, paths);
    if (bundled !== undefined) {
      return { ok: true, path: bundled, source: "bundled" };
    }
    const found = searchPath(DEFAULT_SERVER_COMMAND, input, paths);
    if (found !== undefined) {
      return { ok: true, ...found };
    }
    const reason =
      input.extensionDir === undefined
        ? "not found on PATH"
        : "this extension package bundles no server, and none was found on PATH";
    return { ok: false, message: missingServerMessage(DEFAULT_SERVER_COMMAND, reason) };
  }
  const command = setting;

  if (!looksLikePath(command, input.platform)) {
    const found = searchPath(command, input, paths);
    if (found !== undefined) {
      return { ok: true, path: found.path, source: "setting" };
    }
    return { ok: false, message: missingServerMessage(command, "not found on PATH") };
  }

  const expanded = expandVariables(command, input);
  if (typeof expanded !== "string") {
    return { ok: false, message: missingServerMessage(command, `${expanded.unresolved} has no value here`) };
  }
  let candidate = expanded;
  if (!paths.isAbsolute(candidate)) {
    if (input.baseDir === undefined) {
      return {
        ok: false,
        message: missingServerMessage(command, "a relative path needs an open workspace folder"),
      };
    }
    candidate = paths.resolve(input.baseDir, candidate);
  } else {
    candidate = paths.normalize(candidate);
  }
  const found = firstExecutable(candidate, input);
  if (found !== undefined) {
    return { ok: true, path: found, source: "setting" };
  }
  const reason = candidate === command ? undefined : `resolved to '${candidate}'`;
  return { ok: false, message: missingServerMessage(command, reason) };
}

/** The binary in the extension's `server` folder, when this is a platform-specific package. */
function bundledServer(input: ServerPathInput, paths: path.PlatformPath): string | undefined {
  if (input.extensionDir === undefined || input.extensionDir === "") {
    return undefined;
  }
  return firstExecutable(paths.join(input.extensionDir, BUNDLED_SERVER_DIR, DEFAULT_SERVER_COMMAND), input);
}

/** Looks a command name up on PATH, then in Cargo's `bin` folder. */
function searchPath(
  command: string,
  input: ServerPathInput,
  paths: path.PlatformPath,
): { path: string; source: "path" | "cargo" } | undefined {
  const searched = [
    ...splitPathEnv(input.pathEnv, input.platform).map((dir) => ({ dir, source: "path" as const })),
    ...cargoBinDirs(input, paths).map((dir) => ({ dir, source: "cargo" as const })),
  ];
  for (const { dir, source } of searched) {
    const found = firstExecutable(paths.join(dir, command), input);
    if (found !== undefined) {
      return { path: found, source };
    }
  }
  return undefined;
}

/** A sentence for the output channel saying which server is used and why. */
export function describeServer(result: { readonly path: string; readonly source: ServerSource }): string {
  switch (result.source) {
    case "setting":
      return `Using the language server set in mica.server.path: ${result.path}`;
    case "bundled":
      return `Using the language server bundled with the extension: ${result.path}`;
    case "path":
      return `Using the language server found on PATH: ${result.path}`;
    case "cargo":
      return `Using the language server installed by Cargo: ${result.path}`;
  }
}

/**
 * The message shown when the server binary cannot be found.
 *
 * `where` is what the user configured (or the default name); `reason`, when given, says why the
 * lookup failed in a few words.
 */
export function missingServerMessage(where: string, reason?: string): string {
  const detail = reason === undefined ? "" : ` (${reason})`;
  return `Mica: could not find the \`mica\` language server at '${where}'${detail}. ${INSTALL_HINT}`;
}

/** A setting is a path, not a command name, as soon as it has a separator (as in a shell). */
function looksLikePath(command: string, platform: NodeJS.Platform): boolean {
  return platform === "win32" ? /[\\/:]/.test(command) : command.includes("/");
}

/** Splits PATH with the platform's delimiter, dropping empty entries and (on Windows) surrounding quotes. */
function splitPathEnv(pathEnv: string | undefined, platform: NodeJS.Platform): string[] {
  if (pathEnv === undefined) {
    return [];
  }
  const delimiter = platform === "win32" ? ";" : ":";
  return pathEnv
    .split(delimiter)
    .map((entry) => (platform === "win32" ? entry.replace(/^"(.*)"$/, "$1") : entry).trim())
    .filter((entry) => entry !== "");
}

/** Cargo's install folder: `$CARGO_HOME/bin`, else `~/.cargo/bin`. */
function cargoBinDirs(input: ServerPathInput, paths: path.PlatformPath): string[] {
  if (input.cargoHome !== undefined && input.cargoHome !== "") {
    return [paths.join(input.cargoHome, "bin")];
  }
  if (input.homeDir !== undefined && input.homeDir !== "") {
    return [paths.join(input.homeDir, ".cargo", "bin")];
  }
  return [];
}

/** Replaces `~`, `${userHome}` and `${workspaceFolder}`, or names the first one that has no value. */
function expandVariables(command: string, input: ServerPathInput): string | { unresolved: string } {
  let value = command;
  if (value === "~" || value.startsWith("~/") || (input.platform === "win32" && value.startsWith("~\\"))) {
    if (input.homeDir === undefined) {
      return { unresolved: "the home folder" };
    }
    value = input.homeDir + value.slice(1);
  }
  const variables: Record<string, string | undefined> = {
    userHome: input.homeDir,
    workspaceFolder: input.baseDir,
  };
  for (const match of value.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? "";
    if (!(name in variables) || variables[name] === undefined) {
      return { unresolved: match[0] };
    }
  }
  return value.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => variables[name] ?? "");
}

/**
 * The candidate if it is executable. On Windows a name without a PATHEXT extension cannot be spawned,
 * so the extensions are tried in PATHEXT order instead, as the shell would.
 */
function firstExecutable(candidate: string, input: ServerPathInput): string | undefined {
  if (input.platform !== "win32") {
    return input.isExecutable(candidate) ? candidate : undefined;
  }
  const extensions = (input.pathExt ?? WINDOWS_DEFAULT_PATHEXT)
    .split(";")
    .map((ext) => ext.trim())
    .filter((ext) => ext.startsWith("."));
  const hasKnownExtension = extensions.some((ext) => candidate.toLowerCase().endsWith(ext.toLowerCase()));
  const candidates = hasKnownExtension ? [candidate] : extensions.map((ext) => candidate + ext.toLowerCase());
  return candidates.find((c) => input.isExecutable(c));
}
