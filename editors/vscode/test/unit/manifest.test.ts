// Checks that package.json, the language configuration and the source agree with each other and with
// what the extension promises: VS Code only reports such mistakes at run time, silently.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";

// Both test/unit/ (type checking) and out/test/ (the compiled run) sit two levels below the root.
const root = path.resolve(__dirname, "..", "..");

function readJson(relative: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(root, relative), "utf8"));
}

interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    snippets: { language: string; path: string }[];
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { type: string; default?: unknown; enum?: string[] }> };
  };
}

interface LanguageConfiguration {
  comments: { lineComment?: string; blockComment?: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  wordPattern: string;
}

const manifest = readJson("package.json") as Manifest;
const languageConfiguration = readJson("language-configuration.json") as LanguageConfiguration;
const extensionSource = fs.readFileSync(path.join(root, "src", "extension.ts"), "utf8");

describe("package.json", () => {
  test("the bundle is the entry point", () => {
    assert.equal(manifest.main, "./dist/extension.js");
  });

  test("the extension activates on Mica files and in Mica workspaces", () => {
    assert.ok(manifest.activationEvents.includes("onLanguage:mica"));
    assert.ok(manifest.activationEvents.includes("workspaceContains:**/mica.toml"));
  });

  test("@types/vscode is not newer than the oldest VS Code the extension supports", () => {
    const engine = /^\^(\d+)\.(\d+)\./.exec(manifest.engines.vscode);
    const types = /^[~^]?(\d+)\.(\d+)\./.exec(manifest.devDependencies["@types/vscode"] ?? "");
    assert.ok(engine && types, "engines.vscode and @types/vscode must be plain versions");
    assert.deepEqual(types.slice(1, 3), engine.slice(1, 3));
  });

  test("the language, grammar and snippets point at files that exist", () => {
    const [language] = manifest.contributes.languages;
    assert.ok(language);
    assert.equal(language.id, "mica");
    assert.deepEqual(language.extensions, [".mica"]);
    assert.ok(fs.existsSync(path.join(root, language.configuration)));

    const [grammar] = manifest.contributes.grammars;
    assert.ok(grammar);
    assert.equal(grammar.language, "mica");
    assert.equal(grammar.scopeName, "text.mica");
    const grammarFile = readJson(grammar.path) as { scopeName: string };
    assert.equal(grammarFile.scopeName, grammar.scopeName);

    const [snippets] = manifest.contributes.snippets;
    assert.ok(snippets);
    assert.equal(snippets.language, "mica");
    assert.ok(fs.existsSync(path.join(root, snippets.path)));
  });

  test("every contributed command is registered by the extension, and the other way round", () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const registered = [...extensionSource.matchAll(/registerCommand\(\s*"([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(contributed, ["mica.restartServer"]);
    assert.deepEqual(registered, contributed);
    const restart = manifest.contributes.commands[0];
    assert.equal(`${restart?.category ?? ""}: ${restart?.title ?? ""}`, "Mica: Restart Server");
  });

  test("the settings are declared with the documented defaults", () => {
    const properties = manifest.contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), ["mica.server.args", "mica.server.path", "mica.trace.server"]);
    const setting = (name: string) => {
      const property = properties[name];
      assert.ok(property, `${name} is not declared`);
      return property;
    };
    assert.equal(setting("mica.server.path").type, "string");
    // Empty means "bundled binary, else PATH"; a default of "mica" could not be told from a user's choice.
    assert.equal(setting("mica.server.path").default, "");
    assert.equal(setting("mica.server.args").type, "array");
    assert.deepEqual(setting("mica.server.args").default, []);
    assert.deepEqual(setting("mica.trace.server").enum, ["off", "messages", "verbose"]);
    assert.equal(setting("mica.trace.server").default, "off");
  });
});

describe("language-configuration.json", () => {
  test("comments toggle as <!-- -->, and there is no line comment", () => {
    assert.deepEqual(languageConfiguration.comments, { blockComment: ["<!--", "-->"] });
  });

  test("brackets, auto-closing and surrounding pairs", () => {
    assert.deepEqual(languageConfiguration.brackets, [
      ["[", "]"],
      ["{", "}"],
      ["(", ")"],
    ]);
    const closing = new Map(languageConfiguration.autoClosingPairs.map((p) => [p.open, p]));
    for (const [open, close] of [
      ["[", "]"],
      ["{", "}"],
      ["(", ")"],
      ['"', '"'],
    ] as const) {
      assert.equal(closing.get(open)?.close, close, `auto-closing ${open}`);
    }
    assert.deepEqual(closing.get('"')?.notIn, ["string"]);
    const surrounding = languageConfiguration.surroundingPairs.map((p) => p.join(""));
    for (const pair of ["[]", "{}", "()", '""']) {
      assert.ok(surrounding.includes(pair), `surrounding ${pair}`);
    }
  });

  test("the word pattern keeps ids with - and _ whole", () => {
    const word = new RegExp(languageConfiguration.wordPattern, "gu");
    const line = '[Text]{#kj-success_2 .high-tech supports=#bg_80 cite=wiki:L8-9:"a quote"}';
    assert.deepEqual(line.match(word), [
      "Text",
      "kj-success_2",
      "high-tech",
      "supports",
      "bg_80",
      "cite",
      "wiki",
      "L8-9",
      "a",
      "quote",
    ]);
    assert.deepEqual("p=0.7 p=55%".match(word), ["p", "0.7", "p", "55%"]);
  });
});
