// Bundles the HTML report's viewer (src/viewer) and its d3 modules into one
// minified script and one stylesheet under dist/viewer, which the report
// builder inlines into every report, so a report needs no network to open.
// The script opens with the licence notices of the npm packages bundled into
// it (their licences ask that the notice travel with every copy, and every
// report is one), read from node_modules as it is built.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const result = await build({
  entryPoints: { timeline: 'src/viewer/main.ts', report: 'src/viewer/report.css' },
  outdir: 'dist/viewer',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  write: false,
});

/** The packages under node_modules whose code is in the script, by name (tree-shaking leaves some of their modules out). */
function bundledPackages(metafile) {
  const names = new Set();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match !== null && bytesInOutput > 0) names.add(match[1]);
    }
  }
  return [...names].sort();
}

/** One comment naming each bundled package, its version and licence, then each distinct licence text once. */
function licenceNotice(names) {
  const texts = new Map();
  const lines = ["The HTML report's viewer bundles these npm packages:"];
  for (const name of names) {
    const dir = join('node_modules', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    lines.push(`  ${name} ${manifest.version} (${manifest.license})`);
    const text = readFileSync(join(dir, 'LICENSE'), 'utf8').trim();
    texts.set(text, [...(texts.get(text) ?? []), name]);
  }
  for (const [text, owners] of texts) lines.push('', `${owners.join(', ')}:`, '', ...text.split('\n'));
  const body = lines.join('\n');
  // The notice must end only where it ends, and not end the report's <script> element either.
  if (body.includes('*/') || /<\/script/i.test(body)) throw new Error('a bundled licence text cannot go into a comment as it is');
  return `/*!\n${body}\n*/\n`;
}

const notice = licenceNotice(bundledPackages(result.metafile));
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith('.js') ? notice + file.text : file.contents);
}
