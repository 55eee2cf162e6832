// Bundles the extension with esbuild into dist/extension.js, or (with --tests) the unit tests into out/test/.
//
// Usage: node scripts/build.mjs [--watch] [--tests]

import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const watch = process.argv.includes("--watch");
const tests = process.argv.includes("--tests");

/** @type {esbuild.BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "cjs",
  // VS Code 1.85 runs extensions on Node 18.
  target: "node18",
  // Provided by VS Code at run time; never bundled.
  external: ["vscode"],
  logLevel: "info",
};

/** @type {esbuild.BuildOptions} */
const options = tests
  ? {
      ...common,
      entryPoints: fs
        .readdirSync(path.join(root, "test", "unit"))
        .filter((name) => name.endsWith(".test.ts"))
        .map((name) => path.join("test", "unit", name)),
      outdir: "out/test",
      sourcemap: "inline",
      // The tests run the extension under plain Node against a stand-in for the VS Code API.
      external: [],
      alias: { vscode: "./test/unit/fakeVscode.ts" },
    }
  : {
      ...common,
      entryPoints: ["src/extension.ts"],
      outfile: "dist/extension.js",
      minify: !watch,
      sourcemap: watch ? "linked" : false,
    };

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
