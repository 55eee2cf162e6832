// Packages the extension as a .vsix: the universal package (no server inside), or a platform-specific
// one that carries the `mica` binary in `server/`, built in release mode from this checkout.
//
// Usage:
//   node scripts/package.mjs                      mica.vsix, universal: the server comes from PATH or the setting
//   node scripts/package.mjs --target linux-x64   mica-linux-x64.vsix with server/mica built by `cargo build --release`
//   node scripts/package.mjs --target T --server PATH
//                                                 package a binary built elsewhere (another target's CI job)
//
// A platform package is built for the machine's own target with the host toolchain; for another target
// `cargo build --release --target TRIPLE` needs that Rust target and a linker for it (see editors/README.md).
// Either way the finished archive goes through scripts/check-vsix.mjs.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { hostTarget, prepareServer, RUST_TARGETS, serverFileName } from "./targets.mjs";

const root = path.resolve(import.meta.dirname, "..");
const repo = path.resolve(root, "..", "..");
const serverDir = path.join(root, "server");

const args = parseArgs(process.argv.slice(2));
const target = args.target;

// A server folder left over from an interrupted run must not slip into a universal package.
fs.rmSync(serverDir, { recursive: true, force: true });

const vsce = path.join(root, "node_modules", "@vscode", "vsce", "vsce");
const checkVsix = path.join(root, "scripts", "check-vsix.mjs");
try {
  if (target === undefined) {
    const out = path.join(root, "mica.vsix");
    run(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--out", out]);
    run(process.execPath, [checkVsix, out]);
  } else {
    const built = args.server ?? buildServer(target);
    const bundled = path.join(serverDir, serverFileName(target));
    fs.mkdirSync(serverDir, { recursive: true });
    // Executable: the archive keeps the mode, and VS Code keeps it when it unpacks the extension.
    prepareServer(built, bundled, target);
    const out = path.join(root, `mica-${target}.vsix`);
    run(process.execPath, [
      vsce,
      "package",
      "--no-dependencies",
      "--allow-missing-repository",
      "--target",
      target,
      "--out",
      out,
    ]);
    run(process.execPath, [checkVsix, out, "--target", target, "--server", built]);
  }
} finally {
  fs.rmSync(serverDir, { recursive: true, force: true });
}

/** Builds `mica` in release mode for `target` and returns the binary's path. */
function buildServer(vscodeTarget) {
  const triple = RUST_TARGETS[vscodeTarget];
  const cargoArgs = ["build", "--release", "--locked", "-p", "mica-cli"];
  const targetDir = process.env["CARGO_TARGET_DIR"] ?? path.join(repo, "target");
  let releaseDir = path.join(targetDir, "release");
  if (vscodeTarget !== hostTarget()) {
    // Cross-building needs `rustup target add TRIPLE` and a linker for it; cargo says what is missing.
    cargoArgs.push("--target", triple);
    releaseDir = path.join(targetDir, triple, "release");
  }
  run("cargo", cargoArgs, repo);
  return path.join(releaseDir, serverFileName(vscodeTarget));
}

function run(command, commandArgs, cwd = root) {
  console.log(`$ ${[command === process.execPath ? "node" : command, ...commandArgs].join(" ")}`);
  execFileSync(command, commandArgs, { cwd, stdio: "inherit" });
}

function parseArgs(argv) {
  const parsed = { target: undefined, server: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === "--target" || arg === "--server") && value !== undefined) {
      parsed[arg.slice(2)] = value;
      i++;
    } else {
      fail(`unknown argument ${arg}`);
    }
  }
  if (parsed.target !== undefined && !(parsed.target in RUST_TARGETS)) {
    fail(`unknown target ${parsed.target}; the targets are ${Object.keys(RUST_TARGETS).join(", ")}`);
  }
  if (parsed.server !== undefined && parsed.target === undefined) {
    fail("--server needs --target: a universal package has no server");
  }
  if (parsed.server !== undefined) {
    parsed.server = path.resolve(parsed.server);
  }
  return parsed;
}

function fail(message) {
  console.error(`package: ${message}`);
  console.error("usage: node scripts/package.mjs [--target TARGET [--server PATH]]");
  process.exit(2);
}
