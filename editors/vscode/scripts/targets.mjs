// The platforms a platform-specific .vsix can be built for: VS Code's target names, the Rust target each
// one needs, what a binary for it looks like, and how it is prepared for packaging. Used by package.mjs
// and check-vsix.mjs, so that both prepare the binary the same way.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

/** VS Code target (`vsce package --target`) to Rust target triple. */
export const RUST_TARGETS = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "alpine-x64": "x86_64-unknown-linux-musl",
  "alpine-arm64": "aarch64-unknown-linux-musl",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
  "win32-x64": "x86_64-pc-windows-msvc",
  "win32-arm64": "aarch64-pc-windows-msvc",
};

/** The server's file name inside `server/` for a target. */
export function serverFileName(target) {
  return target.startsWith("win32-") ? "mica.exe" : "mica";
}

/** The VS Code target of this machine, as `vsce package --target` names it. */
export function hostTarget() {
  const arch = process.arch === "x64" ? "x64" : process.arch === "arm64" ? "arm64" : process.arch;
  return `${process.platform}-${arch}`;
}

/**
 * Whether `bytes` start like an executable for `target`: ELF for Linux (64-bit, right machine),
 * 64-bit Mach-O for macOS, PE for Windows. Returns a description of the mismatch, or undefined.
 */
export function executableMismatch(bytes, target) {
  const arm = target.endsWith("-arm64");
  if (target.startsWith("linux-") || target.startsWith("alpine-")) {
    if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) {
      return "not an ELF file";
    }
    if (bytes[4] !== 2) {
      return "not a 64-bit ELF file";
    }
    const machine = bytes.readUInt16LE(18);
    const want = arm ? 0xb7 : 0x3e;
    return machine === want ? undefined : `ELF machine 0x${machine.toString(16)}, expected 0x${want.toString(16)}`;
  }
  if (target.startsWith("darwin-")) {
    if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0xfeedfacf) {
      return "not a 64-bit Mach-O file";
    }
    const cpu = bytes.readUInt32LE(4);
    const want = arm ? 0x0100000c : 0x01000007;
    return cpu === want ? undefined : `Mach-O CPU type 0x${cpu.toString(16)}, expected 0x${want.toString(16)}`;
  }
  if (target.startsWith("win32-")) {
    return bytes.length >= 2 && bytes.toString("latin1", 0, 2) === "MZ" ? undefined : "not a PE executable";
  }
  return `unknown target ${target}`;
}

/**
 * Copies the release build `source` to `dest` as it is packaged: executable, and without its debug
 * information. The workspace's release profile keeps line tables for profiling, which would make the
 * download several times larger; symbol names stay, so a panic's backtrace still names functions.
 * Only a binary for this machine is stripped (the host's `strip` knows its format); a binary built
 * elsewhere is packaged as it was built.
 */
export function prepareServer(source, dest, target) {
  fs.copyFileSync(source, dest);
  fs.chmodSync(dest, 0o755);
  if (target !== hostTarget()) {
    return;
  }
  if (process.platform === "linux") {
    execFileSync("strip", ["--strip-debug", dest], { stdio: "inherit" });
  } else if (process.platform === "darwin") {
    execFileSync("strip", ["-S", dest], { stdio: "inherit" });
  }
}
