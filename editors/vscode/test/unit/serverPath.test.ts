// Unit tests for the server-path lookup, run with `node --test` on a fake file system.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  describeServer,
  INSTALL_HINT,
  missingServerMessage,
  resolveServerPath,
  type ServerPathInput,
  type ServerPathResult,
} from "../../src/serverPath";

/** Resolves with the given executables present, recording every probe. */
function resolve(
  executables: string[],
  input: Omit<ServerPathInput, "isExecutable">,
): { result: ServerPathResult; probed: string[] } {
  const present = new Set(executables);
  const probed: string[] = [];
  const result = resolveServerPath({
    ...input,
    isExecutable: (candidate) => {
      probed.push(candidate);
      return present.has(candidate);
    },
  });
  return { result, probed };
}

function found(result: ServerPathResult): string {
  assert.ok(result.ok, `expected a path, got: ${result.ok ? "" : result.message}`);
  return result.path;
}

function failure(result: ServerPathResult): string {
  assert.ok(!result.ok, `expected an error, got the path ${result.ok ? result.path : ""}`);
  return result.message;
}

const posix = { platform: "linux", homeDir: "/home/ana" } as const;
const windows = { platform: "win32", homeDir: "C:\\Users\\ana" } as const;

describe("bare command names on POSIX", () => {
  test("an unset setting looks up `mica` on PATH, in PATH order", () => {
    const { result, probed } = resolve(["/opt/mica/bin/mica", "/usr/bin/mica"], {
      ...posix,
      setting: undefined,
      pathEnv: "/usr/local/bin:/opt/mica/bin:/usr/bin",
    });
    assert.equal(found(result), "/opt/mica/bin/mica");
    assert.deepEqual(probed, ["/usr/local/bin/mica", "/opt/mica/bin/mica"]);
  });

  test("an empty or blank setting means the default `mica`", () => {
    for (const setting of ["", "   "]) {
      const { result } = resolve(["/usr/bin/mica"], { ...posix, setting, pathEnv: "/usr/bin" });
      assert.equal(found(result), "/usr/bin/mica");
    }
  });

  test("another bare name is looked up on PATH too", () => {
    const { result } = resolve(["/usr/bin/mica-nightly"], {
      ...posix,
      setting: "mica-nightly",
      pathEnv: "/usr/bin",
    });
    assert.equal(found(result), "/usr/bin/mica-nightly");
  });

  test("empty PATH entries are skipped instead of meaning the current folder", () => {
    const { probed } = resolve([], { ...posix, homeDir: undefined, setting: "mica", pathEnv: "::/usr/bin:" });
    assert.deepEqual(probed, ["/usr/bin/mica"]);
  });

  test("~/.cargo/bin is searched after PATH, where `cargo install` puts the binary", () => {
    const { result, probed } = resolve(["/home/ana/.cargo/bin/mica"], {
      ...posix,
      setting: "mica",
      pathEnv: "/usr/bin",
    });
    assert.equal(found(result), "/home/ana/.cargo/bin/mica");
    assert.deepEqual(probed, ["/usr/bin/mica", "/home/ana/.cargo/bin/mica"]);
  });

  test("CARGO_HOME replaces ~/.cargo when it is set", () => {
    const { result, probed } = resolve(["/srv/cargo/bin/mica"], {
      ...posix,
      cargoHome: "/srv/cargo",
      setting: "mica",
      pathEnv: "",
    });
    assert.equal(found(result), "/srv/cargo/bin/mica");
    assert.deepEqual(probed, ["/srv/cargo/bin/mica"]);
  });

  test("a missing binary gives the install command and names the setting", () => {
    const { result } = resolve([], { ...posix, setting: undefined, pathEnv: "/usr/bin:/bin" });
    const message = failure(result);
    assert.equal(
      message,
      "Mica: could not find the `mica` language server at 'mica' (not found on PATH). " +
        "Install the Mica extension package built for your platform (it bundles the server), " +
        "or run `cargo install --locked --path crates/mica-cli` in the Mica repository, or set `mica.server.path`.",
    );
  });

  test("an unset PATH is an error, not a crash", () => {
    const { result } = resolve([], { platform: "linux", setting: "mica", pathEnv: undefined });
    assert.match(failure(result), /not found on PATH/);
  });

  test("a backslash is an ordinary file-name character on POSIX", () => {
    const { result } = resolve(["/usr/bin/mi\\ca"], { ...posix, setting: "mi\\ca", pathEnv: "/usr/bin" });
    assert.equal(found(result), "/usr/bin/mi\\ca");
  });
});

describe("resolution order: the setting, the bundled binary, then PATH", () => {
  const extensionDir = "/home/ana/.vscode/extensions/mica-lang.mica-0.1.0-linux-x64";
  const bundled = `${extensionDir}/server/mica`;

  test("an unset setting takes the bundled binary before PATH, without searching PATH", () => {
    const { result, probed } = resolve([bundled, "/usr/bin/mica"], {
      ...posix,
      extensionDir,
      setting: undefined,
      pathEnv: "/usr/bin",
    });
    assert.deepEqual(result, { ok: true, path: bundled, source: "bundled" });
    assert.deepEqual(probed, [bundled]);
  });

  test("an empty setting means unset: the bundled binary", () => {
    const { result } = resolve([bundled], { ...posix, extensionDir, setting: "  ", pathEnv: "/usr/bin" });
    assert.deepEqual(result, { ok: true, path: bundled, source: "bundled" });
  });

  test("without a bundled binary (the universal package), PATH and then Cargo's folder are searched", () => {
    const onPath = resolve(["/usr/bin/mica"], { ...posix, extensionDir, setting: undefined, pathEnv: "/usr/bin" });
    assert.deepEqual(onPath.result, { ok: true, path: "/usr/bin/mica", source: "path" });
    assert.deepEqual(onPath.probed, [bundled, "/usr/bin/mica"]);
    const inCargo = resolve(["/home/ana/.cargo/bin/mica"], {
      ...posix,
      extensionDir,
      setting: undefined,
      pathEnv: "/usr/bin",
    });
    assert.deepEqual(inCargo.result, { ok: true, path: "/home/ana/.cargo/bin/mica", source: "cargo" });
  });

  test("a set path wins over the bundled binary", () => {
    const { result, probed } = resolve([bundled, "/opt/mica/mica"], {
      ...posix,
      extensionDir,
      setting: "/opt/mica/mica",
      pathEnv: "/usr/bin",
    });
    assert.deepEqual(result, { ok: true, path: "/opt/mica/mica", source: "setting" });
    assert.deepEqual(probed, ["/opt/mica/mica"]);
  });

  test("a set bare name is looked up on PATH even when a binary is bundled", () => {
    const { result } = resolve([bundled, "/usr/bin/mica"], {
      ...posix,
      extensionDir,
      setting: "mica",
      pathEnv: "/usr/bin",
    });
    assert.deepEqual(result, { ok: true, path: "/usr/bin/mica", source: "setting" });
  });

  test("a set path that does not exist is an error, not a fallback to the bundled binary", () => {
    const { result } = resolve([bundled], { ...posix, extensionDir, setting: "/opt/gone/mica", pathEnv: "" });
    assert.match(failure(result), /at '\/opt\/gone\/mica'\./);
  });

  test("nothing bundled and nothing on PATH says both", () => {
    const { result } = resolve([], { ...posix, extensionDir, setting: undefined, pathEnv: "/usr/bin" });
    assert.equal(
      failure(result),
      missingServerMessage("mica", "this extension package bundles no server, and none was found on PATH"),
    );
  });

  test("on Windows the bundled binary is server\\mica.exe", () => {
    const winDir = "C:\\Users\\ana\\.vscode\\extensions\\mica-lang.mica-0.1.0-win32-x64";
    const { result } = resolve([`${winDir}\\server\\mica.exe`], {
      ...windows,
      extensionDir: winDir,
      setting: undefined,
      pathEnv: "C:\\Windows",
    });
    assert.deepEqual(result, { ok: true, path: `${winDir}\\server\\mica.exe`, source: "bundled" });
  });

  test("the output channel is told which one was used", () => {
    assert.equal(
      describeServer({ path: "/x/server/mica", source: "bundled" }),
      "Using the language server bundled with the extension: /x/server/mica",
    );
    assert.equal(
      describeServer({ path: "/opt/mica", source: "setting" }),
      "Using the language server set in mica.server.path: /opt/mica",
    );
    assert.equal(
      describeServer({ path: "/usr/bin/mica", source: "path" }),
      "Using the language server found on PATH: /usr/bin/mica",
    );
    assert.equal(
      describeServer({ path: "/home/ana/.cargo/bin/mica", source: "cargo" }),
      "Using the language server installed by Cargo: /home/ana/.cargo/bin/mica",
    );
  });
});

describe("explicit paths on POSIX", () => {
  test("an absolute path is used as it is, without searching PATH", () => {
    const { result, probed } = resolve(["/opt/mica/mica"], {
      ...posix,
      setting: "/opt/mica/mica",
      pathEnv: "/usr/bin",
    });
    assert.equal(found(result), "/opt/mica/mica");
    assert.deepEqual(probed, ["/opt/mica/mica"]);
  });

  test("surrounding whitespace is trimmed and the path normalised", () => {
    const { result } = resolve(["/opt/mica/mica"], { ...posix, setting: "  /opt/mica/./bin/../mica ", pathEnv: "" });
    assert.equal(found(result), "/opt/mica/mica");
  });

  test("a missing absolute path is reported with the path, not PATH", () => {
    const { result } = resolve(["/usr/bin/mica"], { ...posix, setting: "/opt/mica/mica", pathEnv: "/usr/bin" });
    const message = failure(result);
    assert.ok(message.startsWith("Mica: could not find the `mica` language server at '/opt/mica/mica'. "), message);
    assert.ok(message.endsWith(INSTALL_HINT), message);
  });

  test("a relative path is resolved against the workspace folder", () => {
    const { result } = resolve(["/work/repo/target/debug/mica"], {
      ...posix,
      setting: "target/debug/mica",
      baseDir: "/work/repo",
      pathEnv: "/usr/bin",
    });
    assert.equal(found(result), "/work/repo/target/debug/mica");
  });

  test("a missing relative path names both the setting and where it led", () => {
    const { result } = resolve([], { ...posix, setting: "./bin/mica", baseDir: "/work/repo", pathEnv: "" });
    assert.match(failure(result), /at '\.\/bin\/mica' \(resolved to '\/work\/repo\/bin\/mica'\)\./);
  });

  test("a relative path without a workspace folder is an error", () => {
    const { result, probed } = resolve(["bin/mica"], { ...posix, setting: "bin/mica", pathEnv: "" });
    assert.match(failure(result), /a relative path needs an open workspace folder/);
    assert.deepEqual(probed, []);
  });

  test("~ expands to the home folder", () => {
    const { result } = resolve(["/home/ana/.cargo/bin/mica"], {
      ...posix,
      setting: "~/.cargo/bin/mica",
      pathEnv: "",
    });
    assert.equal(found(result), "/home/ana/.cargo/bin/mica");
  });

  test("${workspaceFolder} and ${userHome} expand", () => {
    const inWorkspace = resolve(["/work/repo/target/release/mica"], {
      ...posix,
      setting: "${workspaceFolder}/target/release/mica",
      baseDir: "/work/repo",
      pathEnv: "",
    });
    assert.equal(found(inWorkspace.result), "/work/repo/target/release/mica");
    const inHome = resolve(["/home/ana/bin/mica"], { ...posix, setting: "${userHome}/bin/mica", pathEnv: "" });
    assert.equal(found(inHome.result), "/home/ana/bin/mica");
  });

  test("${workspaceFolder} without a folder, or an unknown variable, is an error", () => {
    const noFolder = resolve([], { ...posix, setting: "${workspaceFolder}/mica", pathEnv: "" });
    assert.match(failure(noFolder.result), /\$\{workspaceFolder\} has no value here/);
    const unknown = resolve([], { ...posix, setting: "${env:HOME}/mica", pathEnv: "" });
    assert.match(failure(unknown.result), /\$\{env:HOME\} has no value here/);
  });
});

describe("Windows", () => {
  test("PATH uses `;`, entries may be quoted, and PATHEXT extensions are tried in order", () => {
    const { result, probed } = resolve(["C:\\Program Files\\Mica\\mica.exe"], {
      ...windows,
      setting: undefined,
      pathEnv: 'C:\\Windows;"C:\\Program Files\\Mica"',
      pathExt: ".COM;.EXE;.BAT",
    });
    assert.equal(found(result), "C:\\Program Files\\Mica\\mica.exe");
    assert.deepEqual(probed, [
      "C:\\Windows\\mica.com",
      "C:\\Windows\\mica.exe",
      "C:\\Windows\\mica.bat",
      "C:\\Program Files\\Mica\\mica.com",
      "C:\\Program Files\\Mica\\mica.exe",
    ]);
  });

  test("without PATHEXT the standard extensions are used, and Cargo's folder is searched", () => {
    const { result } = resolve(["C:\\Users\\ana\\.cargo\\bin\\mica.exe"], {
      ...windows,
      setting: "mica",
      pathEnv: "C:\\Windows",
    });
    assert.equal(found(result), "C:\\Users\\ana\\.cargo\\bin\\mica.exe");
  });

  test("an explicit path gets an extension added, or is used as it is when it has one", () => {
    const bare = resolve(["D:\\tools\\mica.exe"], { ...windows, setting: "D:\\tools\\mica", pathEnv: "" });
    assert.equal(found(bare.result), "D:\\tools\\mica.exe");
    const withExe = resolve(["D:\\tools\\mica.EXE"], { ...windows, setting: "D:\\tools\\mica.EXE", pathEnv: "" });
    assert.equal(found(withExe.result), "D:\\tools\\mica.EXE");
    assert.deepEqual(withExe.probed, ["D:\\tools\\mica.EXE"]);
  });

  test("forward slashes make a path and a relative one is resolved against the workspace folder", () => {
    const { result } = resolve(["C:\\repo\\target\\debug\\mica.exe"], {
      ...windows,
      setting: "target/debug/mica",
      baseDir: "C:\\repo",
      pathEnv: "",
    });
    assert.equal(found(result), "C:\\repo\\target\\debug\\mica.exe");
  });

  test("a file without an extension is never picked, since Windows cannot spawn it", () => {
    const { result } = resolve(["C:\\bin\\mica"], { ...windows, setting: "mica", pathEnv: "C:\\bin" });
    assert.match(failure(result), /at 'mica' \(not found on PATH\)/);
  });
});

describe("missingServerMessage", () => {
  test("adds the reason in parentheses before the install hint", () => {
    assert.equal(
      missingServerMessage("/x/mica", "gone"),
      `Mica: could not find the \`mica\` language server at '/x/mica' (gone). ${INSTALL_HINT}`,
    );
    assert.equal(
      missingServerMessage("/x/mica"),
      `Mica: could not find the \`mica\` language server at '/x/mica'. ${INSTALL_HINT}`,
    );
  });
});
