// Makes docs/timeline.png, the README's picture of a real failing run's
// timeline: a Raft that votes twice in one term (a test fixture), caught by
// strict mode in TestFigure82C, written as an HTML report by the built
// command line and shown in headless Chromium (Debian's chromium package).
//
//   npm run build && node scripts/docs-screenshot.mjs
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

// Relative paths, as a user would type them: the picture shows them.
const dir = join('reports', 'docs-screenshot');
rmSync(dir, { recursive: true, force: true });
const html = join(dir, 'report.html');
const args = ['--raft', 'tests/cli/fixtures/strict/votes-twice-raft.mjs', '-r', 'TestFigure82C', '-n', '1', '--seed', '0', '-o', join(dir, 'logs'), '--html', html];
try {
  execFileSync(process.execPath, ['bin/raft-dstest.js', ...args], { stdio: 'inherit' });
} catch (error) {
  // Exit 1: the run failed, as it should.
  if (error.status !== 1) throw error;
}

const browser = await chromium.launch({
  executablePath: process.env.RAFT_DSTEST_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1240, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(html)).href);
  const run = page.locator('details.run').first();
  await run.locator('.tl-lane').first().waitFor();
  // Hover the vote request that broke the rule: the last RequestVote to arrive before the failure.
  const svg = await run.locator('svg.tl-svg').boundingBox();
  const marker = await run.locator('.tl-failure-marker').boundingBox();
  const votes = await run.locator('line.tl-rpc.request.vote').evaluateAll((lines) =>
    lines.map((line) => ['x1', 'y1', 'x2', 'y2'].map((name) => Number(line.getAttribute(name)))),
  );
  const failureX = marker.x - svg.x + marker.width / 2;
  const [x1, y1, x2, y2] = votes.filter(([, , x]) => x <= failureX + 0.5).sort((a, b) => b[2] - a[2])[0];
  await page.mouse.move(svg.x + x1 + (x2 - x1) * 0.7, svg.y + y1 + (y2 - y1) * 0.7);
  await page.locator('.tl-tooltip').first().waitFor({ state: 'visible' });
  await run.screenshot({ path: 'docs/timeline.png' });
  console.log('wrote docs/timeline.png');
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
