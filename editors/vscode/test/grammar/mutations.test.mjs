// Checks that the grammar fixtures can fail: every rule and every scope name of the grammar is broken
// in turn, and the fixtures in this folder must catch each break.
//
// A mutant that survives means a rule or a scope that no assertion looks at: add an assertion for it
// to a `*.test.mica` fixture (or drop the rule if it does nothing). Run with `node --test test/grammar/`.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
// The same engine and assertion semantics as the `vscode-tmgrammar-test` command line.
const { parseGrammarTestCase, runGrammarTestCase } = require("vscode-tmgrammar-test/dist/unit/index.js");
const { createRegistryFromGrammars } = require("vscode-tmgrammar-test/dist/common/index.js");

const here = import.meta.dirname;
const grammarPath = path.resolve(here, "..", "..", "syntaxes", "mica.tmLanguage.json");
const grammar = JSON.parse(fs.readFileSync(grammarPath, "utf8"));
const testCases = fs
  .readdirSync(here)
  .filter((name) => name.endsWith(".test.mica"))
  .sort()
  .map((name) => ({ name, testCase: parseGrammarTestCase(fs.readFileSync(path.join(here, name), "utf8")) }));

/** A regular expression that never matches, to switch a rule off. */
const NEVER = "(?!)";

/** Every rule object in the grammar with its JSON path, depth first. */
function* rules(node, at) {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) {
      yield* rules(child, `${at}[${i}]`);
    }
    return;
  }
  if (node === null || typeof node !== "object") {
    return;
  }
  if ("match" in node || "begin" in node || "name" in node || "contentName" in node) {
    yield { rule: node, at };
  }
  for (const [key, child] of Object.entries(node)) {
    yield* rules(child, `${at}.${key}`);
  }
}

/**
 * The mutations of one grammar: each switches one regex off, renames one scope or drops one entry
 * of a `patterns` list (which unplugs an `include` from the place that needs it).
 */
function mutations(source) {
  const result = [];
  for (const [i, entry] of source.patterns.entries()) {
    result.push({ label: `patterns[${i}] (${entry.include}) dropped`, path: "patterns", apply: (p) => p.splice(i, 1) });
  }
  for (const { rule, at } of rules(source.repository, "repository")) {
    for (const key of ["match", "begin", "end"]) {
      if (typeof rule[key] === "string") {
        result.push({ label: `${at}.${key} never matches`, path: at, apply: (r) => (r[key] = NEVER) });
      }
    }
    for (const key of ["name", "contentName"]) {
      if (typeof rule[key] === "string") {
        result.push({
          label: `${at}.${key} "${rule[key]}" renamed`,
          path: at,
          apply: (r) => (r[key] = `${r[key]}-mutant`),
        });
      }
    }
    if (Array.isArray(rule.patterns)) {
      for (const [i, entry] of rule.patterns.entries()) {
        const what = entry.include ?? entry.name ?? entry.match ?? entry.begin;
        result.push({
          label: `${at}.patterns[${i}] (${what}) dropped`,
          path: `${at}.patterns`,
          apply: (p) => p.splice(i, 1),
        });
      }
    }
  }
  return result;
}

/** Follows a path like `repository.claim.patterns[2].captures.1` to the object it names. */
function resolvePath(root, at) {
  let node = root;
  for (const part of at.match(/[^.[\]]+/g) ?? []) {
    node = node[part];
  }
  return node;
}

/** Runs every fixture against a grammar and returns the number of failed assertions. */
async function failuresWith(mutated) {
  const registry = createRegistryFromGrammars([
    { grammar: { path: grammarPath, scopeName: mutated.scopeName }, content: JSON.stringify(mutated) },
  ]);
  let failures = 0;
  for (const { testCase } of testCases) {
    failures += (await runGrammarTestCase(registry, testCase)).length;
  }
  return failures;
}

test("the fixtures pass with the real grammar", async () => {
  assert.ok(testCases.length > 0, "no *.test.mica fixtures found");
  assert.equal(await failuresWith(grammar), 0);
});

const all = mutations(grammar);

test("there are mutants to run", () => {
  // A guard against the walk above silently finding nothing.
  assert.ok(all.length > 50, `only ${all.length} mutants`);
});

for (const mutation of all) {
  test(`caught: ${mutation.label}`, async () => {
    const mutated = structuredClone(grammar);
    mutation.apply(resolvePath(mutated, mutation.path));
    const failures = await failuresWith(mutated);
    assert.ok(failures > 0, `no fixture fails when ${mutation.label}`);
  });
}
