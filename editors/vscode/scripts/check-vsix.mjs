// Checks what the extension package contains: exactly the files the installed extension needs.
//
// Usage:
//   node scripts/check-vsix.mjs             checks the file list `vsce ls --no-dependencies` reports
//   node scripts/check-vsix.mjs mica.vsix   checks the entries of a built .vsix (a zip file)
//
// Either way the list must hold every expected file and nothing else: no sources, tests, node_modules
// or build scripts. Exits with status 1 and a list of problems otherwise.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

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

const vsixPath = process.argv[2];
const files = vsixPath === undefined ? listWithVsce() : listVsix(path.resolve(vsixPath));
const problems = check(files, vsixPath !== undefined);

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
    } else if (!EXPECTED.includes(file)) {
      problems.push(`not expected in the package: ${file}`);
    }
  }
  for (const file of EXPECTED) {
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

/**
 * Returns the entry names of a zip file from its central directory, so that no unzip tool or extra
 * package is needed. vsce writes plain zips (no zip64, no archive comment beyond 64 KiB).
 */
function listVsix(file) {
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
  const names = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== ENTRY_SIGNATURE) {
      throw new Error(`${file}: corrupt central directory at byte ${offset}`);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString("utf8", offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.filter((name) => !name.endsWith("/"));
}
