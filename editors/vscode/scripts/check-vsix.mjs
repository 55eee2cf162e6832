// Checks what the extension package contains: exactly the files the installed extension needs.
//
// Usage:
//   node scripts/check-vsix.mjs             checks the file list `vsce ls --no-dependencies` reports
//   node scripts/check-vsix.mjs mica.vsix   checks the entries of a built .vsix (a zip file)
//   node scripts/check-vsix.mjs mica-linux-x64.vsix --target linux-x64 [--server PATH]
//                                           checks a platform package: the same files plus server/mica
//
// Either way the list must hold every expected file and nothing else: no sources, tests, node_modules
// or build scripts. A platform package must also declare its target, and its server must be an
// executable for that target, have its executable bits set in the archive, and be byte for byte the
// release build it was made from (PATH, by default target/release/mica of this checkout, with its debug
// information stripped as package.mjs does); when the target is this machine's, the packaged binary is
// run and must report the extension's version. Exits with status 1 and a list of problems otherwise.

import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { executableMismatch, hostTarget, prepareServer, RUST_TARGETS, serverFileName } from "./targets.mjs";

const root = path.resolve(import.meta.dirname, "..");
const repo = path.resolve(root, "..", "..");

/** The files of the extension itself, relative to the extension folder. */
const EXPECTED = [
  "package.json",
  "README.md",
  "LICENSE",
  "dist/extension.js",
  "syntaxes/mica.tmLanguage.json",
  "snippets/mica.json",
  "language-configuration.json",
];

/** How vsce renames files inside a .vsix (`vsce ls` shows the original names). */
const VSIX_RENAMED = new Map([
  ["readme.md", "README.md"],
  ["LICENSE.txt", "LICENSE"],
]);

/** Files vsce adds around the extension in a .vsix; absent from `vsce ls`. */
const VSIX_METADATA = ["[Content_Types].xml", "extension.vsixmanifest"];

/** Paths that must never ship, whatever else the list says. */
const FORBIDDEN = [/^src\//, /^test\//, /^scripts\//, /(^|\/)node_modules\//, /^out\//, /\.ts$/, /\.map$/, /\.vsix$/];

const { vsixPath, target, server } = parseArgs(process.argv.slice(2));
const entries = vsixPath === undefined ? undefined : readZip(path.resolve(vsixPath));
const files = entries === undefined ? listWithVsce() : entries.map((entry) => entry.name);
const expected = target === undefined ? EXPECTED : [...EXPECTED, `server/${serverFileName(target)}`];
const problems = check(files, entries !== undefined);
if (target !== undefined && entries !== undefined) {
  problems.push(...checkServer(entries, target, server));
}

const what = vsixPath === undefined ? "vsce ls --no-dependencies" : vsixPath;
if (problems.length > 0) {
  console.error(`check-vsix: ${what} has the wrong contents:`);
  for (const problem of problems) {
    console.error(`  - ${problem}`);
  }
  console.error(`Contents:\n${files.map((file) => `    ${file}`).join("\n")}`);
  console.error("Fix .vscodeignore (or run `npm run build` first if dist/extension.js is missing).");
  process.exit(1);
}
console.log(`check-vsix: ${what}: ${files.length} files, as expected:`);
for (const file of files) {
  console.log(`    ${file}`);
}

/** Compares a package listing with {@link EXPECTED}; `inVsix` means entries live under `extension/`. */
function check(listed, inVsix) {
  const problems = [];
  const payload = [];
  for (const entry of listed) {
    if (inVsix && VSIX_METADATA.includes(entry)) {
      continue;
    }
    if (inVsix && !entry.startsWith("extension/")) {
      problems.push(`unexpected entry outside extension/: ${entry}`);
      continue;
    }
    const name = inVsix ? entry.slice("extension/".length) : entry;
    payload.push(inVsix ? (VSIX_RENAMED.get(name) ?? name) : name);
  }
  if (inVsix) {
    for (const metadata of VSIX_METADATA) {
      if (!listed.includes(metadata)) {
        problems.push(`missing ${metadata}: not a vsce package?`);
      }
    }
  }
  for (const file of payload) {
    if (FORBIDDEN.some((pattern) => pattern.test(file))) {
      problems.push(`must not be packaged: ${file}`);
    } else if (!expected.includes(file)) {
      problems.push(`not expected in the package: ${file}`);
    }
  }
  for (const file of expected) {
    if (!payload.includes(file)) {
      problems.push(`missing: ${file}`);
    }
  }
  return problems;
}

/** Runs the local vsce (no global install needed) and returns the files it would package. */
function listWithVsce() {
  const vsce = path.join(root, "node_modules", "@vscode", "vsce", "vsce");
  const output = execFileSync(process.execPath, [vsce, "ls", "--no-dependencies"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => line.replaceAll("\\", "/"));
}

/** The checks of a platform package's server binary; `expectedServer` is the release build it came from. */
function checkServer(entries, vsceTarget, expectedServer) {
  const problems = [];
  const manifest = entries.find((entry) => entry.name === "extension.vsixmanifest");
  if (manifest !== undefined && !manifest.data().toString("utf8").includes(`TargetPlatform="${vsceTarget}"`)) {
    problems.push(`extension.vsixmanifest does not declare TargetPlatform="${vsceTarget}"`);
  }
  const name = `extension/server/${serverFileName(vsceTarget)}`;
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) {
    return [...problems, `no server binary at ${name}`];
  }
  const bytes = entry.data();
  const mismatch = executableMismatch(bytes, vsceTarget);
  if (mismatch !== undefined) {
    problems.push(`${name} is not a ${vsceTarget} executable: ${mismatch}`);
  }
  if (!vsceTarget.startsWith("win32-") && (entry.mode & 0o111) !== 0o111) {
    problems.push(`${name} is not executable in the archive (mode ${entry.mode.toString(8)})`);
  }
  if (!fs.existsSync(expectedServer)) {
    return [...problems, `cannot compare with the release build: ${expectedServer} does not exist`];
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mica-check-vsix-"));
  try {
    const reference = path.join(tmp, serverFileName(vsceTarget));
    prepareServer(expectedServer, reference, vsceTarget);
    if (sha256(bytes) !== sha256(fs.readFileSync(reference))) {
      problems.push(`${name} is not the release build ${expectedServer} (their contents differ)`);
    }
    if (vsceTarget === hostTarget() && mismatch === undefined) {
      // Run the packaged bytes, not the reference: the version must match the extension's.
      const packaged = path.join(tmp, "packaged");
      fs.writeFileSync(packaged, bytes, { mode: 0o755 });
      const version = execFileSync(packaged, ["--version"], { encoding: "utf8" }).trim();
      const extension = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
      if (version !== `mica ${extension}`) {
        problems.push(`${name} --version says "${version}", expected "mica ${extension}"`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return problems;
}

function sha256(bytes) {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

function parseArgs(argv) {
  const parsed = { vsixPath: undefined, target: undefined, server: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--target" || arg === "--server") {
      const value = argv[++i];
      if (value === undefined) {
        usage(`${arg} needs a value`);
      }
      parsed[arg.slice(2)] = value;
    } else if (parsed.vsixPath === undefined && !arg.startsWith("--")) {
      parsed.vsixPath = arg;
    } else {
      usage(`unknown argument ${arg}`);
    }
  }
  if (parsed.target !== undefined) {
    if (!(parsed.target in RUST_TARGETS)) {
      usage(`unknown target ${parsed.target}; the targets are ${Object.keys(RUST_TARGETS).join(", ")}`);
    }
    if (parsed.vsixPath === undefined) {
      usage("--target needs a .vsix to check");
    }
    const targetDir = process.env["CARGO_TARGET_DIR"] ?? path.join(repo, "target");
    const releaseDir =
      parsed.target === hostTarget()
        ? path.join(targetDir, "release")
        : path.join(targetDir, RUST_TARGETS[parsed.target], "release");
    parsed.server = path.resolve(parsed.server ?? path.join(releaseDir, serverFileName(parsed.target)));
  } else if (parsed.server !== undefined) {
    usage("--server needs --target");
  }
  return parsed;
}

function usage(message) {
  console.error(`check-vsix: ${message}`);
  console.error("usage: node scripts/check-vsix.mjs [FILE.vsix [--target TARGET [--server PATH]]]");
  process.exit(2);
}

/**
 * Reads a zip file's entries from its central directory, so that no unzip tool or extra package is
 * needed: each entry's name, its Unix mode (from the external attributes), and a function that returns
 * its uncompressed contents. vsce writes plain zips (no zip64, no archive comment beyond 64 KiB).
 */
function readZip(file) {
  const zip = fs.readFileSync(file);
  const EOCD_SIGNATURE = 0x06054b50;
  const ENTRY_SIGNATURE = 0x02014b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error(`${file} is not a zip file (no end of central directory record)`);
  }
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== ENTRY_SIGNATURE) {
      throw new Error(`${file}: corrupt central directory at byte ${offset}`);
    }
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const mode = zip.readUInt32LE(offset + 38) >>> 16;
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    const data = () => {
      // The local header repeats the name and has its own extra field before the data.
      const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const raw = zip.subarray(start, start + compressedSize);
      if (method === 0) {
        return raw;
      }
      if (method === 8) {
        return zlib.inflateRawSync(raw);
      }
      throw new Error(`${file}: ${name} uses compression method ${method}`);
    };
    entries.push({ name, mode, data });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries.filter((entry) => !entry.name.endsWith("/"));
}
