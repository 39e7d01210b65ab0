// Bundles the HTML report's viewer (src/viewer) and its d3 modules into one
// minified script and one stylesheet under dist/viewer, which the report
// builder inlines into every report, so a report needs no network to open.
import { build } from 'esbuild';

await build({
  entryPoints: { timeline: 'src/viewer/main.ts', report: 'src/viewer/report.css' },
  outdir: 'dist/viewer',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  logLevel: 'warning',
});
