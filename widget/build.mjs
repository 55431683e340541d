// Builds the chat widget: widget/src/main.js -> one minified script (with its CSS inlined) at
// pomoc/static/pomoc/widget/pomoc-chat.js, served as /static/pomoc/widget/pomoc-chat.js.
// `make assets` runs it; `node widget/build.mjs --out DIR` builds elsewhere (the size test).
// Prints the size, plain and gzip-compressed.
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(here, "..", "pomoc", "static", "pomoc", "widget");
const outFile = path.join(outDir, "pomoc-chat.js");

const minifiedCss = {
  name: "minified-css-text",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const { code } = await esbuild.transform(source, { loader: "css", minify: true });
      return { contents: code.trim(), loader: "text" };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [path.join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  legalComments: "none",
  write: false,
  plugins: [minifiedCss],
  banner: { js: "/* Pomoc chat widget, AGPL-3.0-or-later */" },
});
const code = result.outputFiles[0].contents;
await mkdir(outDir, { recursive: true });
await writeFile(outFile, code);
const gzip = gzipSync(code, { level: 9 }).length;
console.log(`widget: ${path.relative(process.cwd(), outFile)} ${(code.length / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzip`);
