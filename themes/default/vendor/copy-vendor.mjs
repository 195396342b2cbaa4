// Copy the built front-end files from node_modules into ../assets/vendor/ with the licence of every
// package they are built from. Run after `npm ci` here: `npm run vendor`. The output is committed so
// that building the site needs no npm.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "assets", "vendor");

// Source file in node_modules → file in assets/vendor/.
const FILES = [
  ["vega/build/vega.min.js", "vega.min.js"],
  ["vega-lite/build/vega-lite.min.js", "vega-lite.min.js"],
  ["vega-embed/build/vega-embed.min.js", "vega-embed.min.js"],
  ["world-atlas/countries-110m.json", "world-atlas/countries-110m.json"],
];

// The source maps are not shipped, so the comment that points to them would only make browsers'
// developer tools ask the site for a missing file.
const stripSourceMap = (text) => text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");

const packageJson = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

function installedPackages() {
  const found = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith("@")) {
        visit(path);
      } else if (existsSync(join(path, "package.json"))) {
        found.push(path);
        if (existsSync(join(path, "node_modules"))) visit(join(path, "node_modules"));
      }
    }
  };
  visit(modules);
  return found;
}

function licenceText(dir) {
  const names = readdirSync(dir).filter((name) => /^(licen[cs]e|copying|notice)/i.test(name)).sort();
  return names.map((name) => readFileSync(join(dir, name), "utf8").trim()).join("\n\n");
}

rmSync(out, { recursive: true, force: true });
const manifest = [];
for (const [source, target] of FILES) {
  let content = readFileSync(join(modules, source));
  if (target.endsWith(".js")) content = Buffer.from(stripSourceMap(content.toString("utf8")), "utf8");
  mkdirSync(dirname(join(out, target)), { recursive: true });
  writeFileSync(join(out, target), content);
  const pkg = packageJson(join(modules, source.split("/")[0]));
  const sri = "sha384-" + createHash("sha384").update(content).digest("base64");
  manifest.push(`${target}  ${pkg.name}@${pkg.version}  ${sri}`);
}

// Every installed package: the bundles above are built from them (d3 and the vega-* modules in
// vega.min.js; vega-interpreter, vega-tooltip, vega-themes and others in vega-embed.min.js).
const sections = installedPackages()
  .map((dir) => ({ dir, pkg: packageJson(dir) }))
  .sort((a, b) => a.pkg.name.localeCompare(b.pkg.name) || a.pkg.version.localeCompare(b.pkg.version))
  .map(({ dir, pkg }) => {
    const licence = typeof pkg.license === "string" ? pkg.license : JSON.stringify(pkg.license ?? "see text");
    // Authors' personal e-mail addresses stay off the site (the project publishes none); names and notices stay.
    const text = (licenceText(dir) || `(The package ships no licence file; its package.json says ${licence}.)`).replace(
      /\s*<?[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}>?/g,
      "",
    );
    return `${"=".repeat(78)}\n${pkg.name}@${pkg.version} (${licence})\n${"=".repeat(78)}\n\n${text}\n`;
  });
writeFileSync(
  join(out, "LICENSES.txt"),
  "Licences of the packages the files in this folder are built from (npm registry, copied by\n" +
    "themes/default/vendor/copy-vendor.mjs). world-atlas's data is from Natural Earth, public domain.\n\n" +
    sections.join("\n"),
);
writeFileSync(join(out, "MANIFEST.txt"), manifest.join("\n") + "\n");
console.log(manifest.join("\n"));
