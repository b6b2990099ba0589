// Builds the editor bundle and copies the vendored browser libraries into the Python package.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = join(here, "..", "src", "deepdive", "web", "static");

await build({
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outfile: join(staticDir, "build", "editor.js"),
  legalComments: "eof",
});

const vendored = [
  ["htmx.org/dist/htmx.min.js", "vendor/htmx.min.js"],
  ["htmx.org/LICENSE", "vendor/htmx.LICENSE.txt"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "vendor/swagger-ui/swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "vendor/swagger-ui/LICENSE.txt"],
];
for (const [from, to] of vendored) {
  const target = join(staticDir, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(here, "node_modules", from), target);
}
console.log("built", join(staticDir, "build", "editor.js"));
