// Expands every snippet in snippets/mica.json with its default values and checks that the result
// highlights as the Mica it is meant to be, so a typo in a snippet body shows up here.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const { createRegistryFromGrammars } = require("vscode-tmgrammar-test/dist/common/index.js");

const root = path.resolve(import.meta.dirname, "..", "..");
const grammarPath = path.join(root, "syntaxes", "mica.tmLanguage.json");
const snippets = JSON.parse(fs.readFileSync(path.join(root, "snippets", "mica.json"), "utf8"));

/** Replaces tab stops, placeholders, choices and variables by what a user gets on pressing Tab through. */
function expand(body) {
  let text = Array.isArray(body) ? body.join("\n") : body;
  const values = {
    CURRENT_YEAR: "2025",
    CURRENT_MONTH: "11",
    CURRENT_DATE: "23",
  };
  for (let previous = ""; previous !== text; ) {
    previous = text;
    text = text
      .replace(/\$\{\d+\|([^,|}]*)[^|}]*\|\}/g, "$1")
      .replace(/\$\{\d+:([^${}]*)\}/g, "$1")
      .replace(/\$([A-Z_]+)/g, (whole, name) => values[name] ?? whole)
      .replace(/\$\d+/g, "");
  }
  assert.doesNotMatch(text, /\$/, `unexpanded snippet syntax left in: ${text}`);
  return text;
}

/** Tokenizes a document and returns `[text, scopes]` for every token. */
async function tokenize(text) {
  const registry = createRegistryFromGrammars([
    { grammar: { path: grammarPath, scopeName: "text.mica" }, content: fs.readFileSync(grammarPath, "utf8") },
  ]);
  const grammar = await registry.loadGrammar("text.mica");
  const tokens = [];
  let stack = null;
  for (const line of text.split("\n")) {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    for (const token of result.tokens) {
      tokens.push([line.slice(token.startIndex, token.endIndex), token.scopes]);
    }
  }
  return tokens;
}

/** Asserts that some token with exactly this text carries this scope. */
function assertScope(tokens, text, scope) {
  const found = tokens.some(([t, scopes]) => t === text && scopes.includes(scope));
  assert.ok(found, `expected ${JSON.stringify(text)} as ${scope}; tokens: ${JSON.stringify(tokens)}`);
}

function snippet(prefix) {
  const entry = Object.values(snippets).find((s) => [s.prefix].flat().includes(prefix));
  assert.ok(entry, `no snippet with the prefix ${prefix}`);
  return expand(entry.body);
}

test("`claim` expands to the claim the issue asks for", async () => {
  const text = snippet("claim");
  assert.equal(text, '[text]{#id conf=low cite=source:"quote"}');
  const tokens = await tokenize(text);
  assertScope(tokens, "text", "markup.other.claim.mica");
  assertScope(tokens, "id", "entity.name.label.claim.mica");
  assertScope(tokens, "low", "constant.language.confidence.mica");
  assertScope(tokens, "source", "entity.name.type.source.reference.mica");
  assertScope(tokens, "quote", "string.quoted.double.citation.mica");
  assertScope(tokens, "}", "punctuation.definition.attributes.end.mica");
});

test("`claimp` is a cited claim with an ICD 203 likelihood and a line locator", async () => {
  const tokens = await tokenize(snippet("claimp"));
  assertScope(tokens, "almost-no-chance", "constant.language.likelihood.mica");
  assertScope(tokens, "L1", "constant.other.line-locator.mica");
  assertScope(tokens, "quote", "string.quoted.double.citation.mica");
  assertScope(tokens, "}", "punctuation.definition.attributes.end.mica");
});

test("`cite` inside an attribute list is a citation", async () => {
  const tokens = await tokenize(`[text]{#id ${snippet("cite")}}`);
  assertScope(tokens, "source", "entity.name.type.source.reference.mica");
  assertScope(tokens, "quote", "string.quoted.double.citation.mica");
});

test("`source` is a source declaration with a path and a reliability grade", async () => {
  const tokens = await tokenize(snippet("source"));
  assertScope(tokens, "@source", "keyword.other.source.mica");
  assertScope(tokens, "id", "entity.name.type.source.mica");
  assertScope(tokens, "path/to/source.txt", "string.quoted.double.path.mica");
  assertScope(tokens, "A", "constant.language.reliability.mica");
});

test("`frontmatter` at the top of a file is front matter", async () => {
  const text = snippet("frontmatter");
  assert.ok(text.startsWith("---\n"), text);
  const tokens = await tokenize(text);
  assertScope(tokens, "title", "entity.name.tag.front-matter.mica");
  assertScope(tokens, "2025-11-23", "string.unquoted.front-matter.mica");
  assertScope(tokens, "---", "punctuation.definition.front-matter.end.mica");
});

test("every snippet has a prefix, a description and a body that expands", () => {
  for (const [name, entry] of Object.entries(snippets)) {
    assert.ok([entry.prefix].flat().length > 0, `${name}: no prefix`);
    assert.equal(typeof entry.description, "string", `${name}: no description`);
    expand(entry.body);
  }
});
