// Highlights the repository's worked examples (spec/examples/*.mica, valid Mica by definition) and
// checks that nothing runs away: no claim, attribute list, string or front matter is still open at a
// blank line or at the end of the file, and every heading and @source line is recognised.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const { createRegistryFromGrammars } = require("vscode-tmgrammar-test/dist/common/index.js");

const root = path.resolve(import.meta.dirname, "..", "..");
const grammarPath = path.join(root, "syntaxes", "mica.tmLanguage.json");
const examplesDir = path.resolve(root, "..", "..", "spec", "examples");
const examples = fs.existsSync(examplesDir)
  ? fs.readdirSync(examplesDir).filter((name) => name.endsWith(".mica"))
  : [];

/** Scopes that must not be open across a paragraph break in a valid document. */
const PARAGRAPH_SCOPES = [
  "meta.claim.mica",
  "meta.attributes.claim.mica",
  "string.quoted.double.mica",
  "string.quoted.double.citation.mica",
  "meta.embedded.block.front-matter.mica",
];

test("the worked examples are there to check", { skip: examples.length === 0 && "no spec/examples" }, () => {
  assert.ok(examples.length > 0);
});

for (const name of examples) {
  test(`spec/examples/${name} highlights without runaway constructs`, async () => {
    const registry = createRegistryFromGrammars([
      { grammar: { path: grammarPath, scopeName: "text.mica" }, content: fs.readFileSync(grammarPath, "utf8") },
    ]);
    const grammar = await registry.loadGrammar("text.mica");
    const lines = fs.readFileSync(path.join(examplesDir, name), "utf8").split(/\r\n|\r|\n/);
    let stack = null;
    let claims = 0;
    lines.forEach((line, index) => {
      const where = `${name}:${index + 1}: ${line}`;
      const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
      stack = ruleStack;
      const scopesAt = (column) => tokens.find((t) => t.startIndex <= column && column < t.endIndex)?.scopes ?? [];
      if (/^[ \t]*$/.test(line)) {
        const open = (tokens[0]?.scopes ?? []).filter((scope) => PARAGRAPH_SCOPES.includes(scope));
        assert.deepEqual(open, [], `still open at a blank line, ${where}`);
      }
      const heading = /^[ \t]{0,3}(#{1,6})[ \t]/.exec(line);
      if (heading && !scopesAt(0).includes("comment.block.mica")) {
        const level = heading[1].length;
        assert.ok(scopesAt(line.indexOf("#")).includes(`markup.heading.${level}.mica`), `not a heading, ${where}`);
      }
      if (/^[ \t]{0,3}@source[ \t]/.test(line) && !scopesAt(0).includes("comment.block.mica")) {
        assert.ok(scopesAt(line.indexOf("@")).includes("keyword.other.source.mica"), `not a source, ${where}`);
      }
      claims += tokens.filter((t) => t.scopes.includes("punctuation.definition.attributes.end.mica")).length;
    });
    assert.equal(stack.depth, 1, `${name}: something is still open at the end of the file`);
    assert.ok(claims > 0, `${name}: no claim was recognised`);
  });
}
