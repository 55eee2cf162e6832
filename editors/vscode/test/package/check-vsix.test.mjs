// Tests of scripts/check-vsix.mjs on hand-made platform packages: a good one passes, and each kind of
// broken server binary (missing, not executable, another architecture, not the release build, or a
// package without its target) fails with a message that says so.
//
// The packages are for linux-arm64, which is not this machine's target, so the checker compares the
// bytes as they are (no strip) and does not run the binary: a few bytes with an ELF header suffice.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import * as zlib from "node:zlib";

const root = path.resolve(import.meta.dirname, "..", "..");
const checkVsix = path.join(root, "scripts", "check-vsix.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mica-check-vsix-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A 64-bit little-endian ELF header for `machine` (0xb7 aarch64, 0x3e x86-64), then some payload. */
function elf(machine, payload = "release build") {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeUInt16LE(machine, 18);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** Writes a zip of stored entries; `mode` sets each entry's Unix permissions, as vsce does. */
function writeZip(file, entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data, mode = 0o644 } of entries) {
    const nameBytes = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode counts
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, directory, end]));
}

const release = path.join(tmp, "release-mica");
fs.writeFileSync(release, elf(0xb7));

/** A linux-arm64 package; `server` replaces or (null) removes the binary entry. */
function makePackage(name, { server = { data: elf(0xb7), mode: 0o755 }, target = "linux-arm64" } = {}) {
  const text = (value) => Buffer.from(value);
  const entries = [
    { name: "[Content_Types].xml", data: text("<Types/>") },
    {
      name: "extension.vsixmanifest",
      data: text(`<PackageManifest><Metadata><Identity Id="mica" TargetPlatform="${target}"/></Metadata></PackageManifest>`),
    },
    ...["package.json", "readme.md", "LICENSE.txt", "dist/extension.js", "syntaxes/mica.tmLanguage.json"]
      .concat(["snippets/mica.json", "language-configuration.json"])
      .map((file) => ({ name: `extension/${file}`, data: text("{}") })),
  ];
  if (server !== null) {
    entries.push({ name: "extension/server/mica", ...server });
  }
  const file = path.join(tmp, `${name}.vsix`);
  writeZip(file, entries);
  return file;
}

function check(vsix) {
  const result = spawnSync(process.execPath, [checkVsix, vsix, "--target", "linux-arm64", "--server", release], {
    encoding: "utf8",
  });
  return { status: result.status, problems: result.stderr.split("\n").filter((line) => line.startsWith("  - ")) };
}

describe("check-vsix on platform packages", () => {
  test("a package holding the release build, executable, for its target, passes", () => {
    const result = check(makePackage("good"));
    assert.deepEqual(result, { status: 0, problems: [] });
  });

  test("a package without the server fails", () => {
    assert.deepEqual(check(makePackage("missing", { server: null })), {
      status: 1,
      problems: ["  - missing: server/mica", "  - no server binary at extension/server/mica"],
    });
  });

  test("a server without its executable bits fails", () => {
    assert.deepEqual(check(makePackage("not-executable", { server: { data: elf(0xb7), mode: 0o644 } })), {
      status: 1,
      problems: ["  - extension/server/mica is not executable in the archive (mode 100644)"],
    });
  });

  test("a server for another architecture fails", () => {
    const { status, problems } = check(makePackage("x86", { server: { data: elf(0x3e), mode: 0o755 } }));
    assert.equal(status, 1);
    assert.ok(problems.includes("  - extension/server/mica is not a linux-arm64 executable: ELF machine 0x3e, expected 0xb7"), problems.join("\n"));
  });

  test("a server that is not the release build (a debug build, a stale binary) fails", () => {
    const debug = { data: elf(0xb7, "debug build with debug assertions"), mode: 0o755 };
    assert.deepEqual(check(makePackage("debug", { server: debug })), {
      status: 1,
      problems: [`  - extension/server/mica is not the release build ${release} (their contents differ)`],
    });
  });

  test("a package that does not declare its target fails", () => {
    assert.deepEqual(check(makePackage("universal-manifest", { target: "" })), {
      status: 1,
      problems: ['  - extension.vsixmanifest does not declare TargetPlatform="linux-arm64"'],
    });
  });
});
