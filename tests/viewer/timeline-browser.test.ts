/**
 * The HTML report in a real browser: the report the built command line
 * writes (--html) of real failing runs (a Raft that votes twice, caught by
 * strict mode), opened from disk in headless Chromium with the network
 * refused. Checks that the timeline draws its lanes, arrows and failure
 * marker, that hovering and zooming work, and saves a screenshot under reports/.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, raftDstest, root } from '../cli/bin-helpers.js';
import { hasChromium, launchChromium, SKIP_MESSAGE } from './chromium.js';

const viewerBuilt = built && existsSync(join(root, 'dist', 'viewer', 'timeline.js'));
if (!hasChromium) console.warn(SKIP_MESSAGE);
if (!viewerBuilt) console.warn('browser tests skipped: the tool and its viewer are not built; run npm run build (npm test does)');

const votesTwice = join(root, 'tests', 'cli', 'fixtures', 'strict', 'votes-twice-raft.mjs');

let dir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A second report: the reference Raft's TestSnapshotInstall2D, passing and kept (-a), whose leader sends InstallSnapshots. */
let snapshotHtml: string;
const requests: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!hasChromium || !viewerBuilt) return;
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-browser-'));
  // Seed 39 of TestFigure82C fails after crashes and restarts on a reliable
  // network; of TestFigure8Unreliable2C, after 30 s of an unreliable network
  // with long reordering.
  const html = join(dir, 'report.html');
  const args = ['--raft', votesTwice, '-r', 'TestFigure82C', 'TestFigure8Unreliable2C', '-n', '1', '--seed', '39', '-o', join(dir, 'logs'), '--html', html];
  const { code, stderr } = await raftDstest(args);
  expect(stderr).toBe('');
  expect(code).toBe(1);
  snapshotHtml = join(dir, 'snapshot.html');
  const snapshotRun = await raftDstest(['TestSnapshotInstall2D', '-n', '1', '--seed', '1', '-a', '-o', join(dir, 'snapshot-logs'), '--html', snapshotHtml]);
  expect(snapshotRun.stderr).toBe('');
  expect(snapshotRun.code).toBe(0);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  // The report must need nothing but itself: anything else it asks for is refused and remembered.
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url().startsWith('file:') ? route.continue() : route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(pathToFileURL(html).href);
  await page.locator('.tl-lane').first().waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const tooltip = () => page.locator('.tl-tooltip').first();
const axisTicks = () => page.locator('.tl-axis').first().locator('.tick text').allTextContents();

describe.runIf(hasChromium && viewerBuilt)('the HTML report in headless Chromium', () => {
  it('opens from disk, fetching nothing else, without script errors', () => {
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*report\.html$/);
    expect(pageErrors).toEqual([]);
  });

  it('draws a lane per peer with role bands, crashes and the failure marker on the two leaders', async () => {
    const first = page.locator('details.run').first();
    expect(await first.locator('summary').textContent()).toContain('TestFigure82C #0 · seed 39');
    await first.locator('button[data-action="whole"]').click();
    expect(await first.locator('.tl-lane').count()).toBe(5);
    expect(await first.locator('.tl-band.leader').count()).toBeGreaterThan(2);
    expect(await first.locator('.tl-band.down').count()).toBeGreaterThan(0);
    expect(await first.locator('.tl-mark').count()).toBeGreaterThan(0);
    // Every lane has its commit and applied index as steps, and the cluster committed something.
    const rises = (kind: string) => first.locator(`path.tl-index.${kind}`).evaluateAll((paths) => paths.map((path) => (path.getAttribute('d') ?? '').split('V').length - 1));
    for (const kind of ['commit', 'applied']) {
      const steps = await rises(kind);
      expect(steps).toHaveLength(5);
      expect(Math.max(...steps)).toBeGreaterThan(0);
    }
    const marker = first.locator('.tl-failure-marker');
    await expect.poll(() => marker.isVisible()).toBe(true);
    const error = await first.locator('.error-head').textContent();
    const named = [...new Set([...error!.matchAll(/S(\d)/g)].map((m) => `S${m[1]}`))].sort();
    expect(named.length).toBeGreaterThan(0);
    expect(await first.locator('.tl-lane-label.blamed').allTextContents()).toEqual(named);
    expect(await first.locator('.tl-failure-peer').count()).toBe(named.length);
  });

  it('draws RPCs as arrows, requests and replies, with lost ones crossed', async () => {
    const first = page.locator('details.run').first();
    expect(await first.locator('line.tl-rpc.request').count()).toBeGreaterThan(20);
    expect(await first.locator('line.tl-rpc.reply').count()).toBeGreaterThan(20);
    expect(await first.locator('line.tl-rpc.reply.ok').first().getAttribute('marker-end')).toMatch(/^url\(#tl\d+-arrow-/);
    expect(await first.locator('path.tl-lost').count()).toBeGreaterThan(0);
  });

  it('hovering an arrow shows the message, its fate and the log lines written at it', async () => {
    const first = page.locator('details.run').first();
    await first.locator('button[data-action="failure"]').click();
    const arrow = first.locator('line.tl-rpc.request.ok').first();
    const [x1, y1, x2, y2] = await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (a) => Number(await arrow.getAttribute(a))));
    const box = (await first.locator('svg.tl-svg').boundingBox())!;
    await page.mouse.move(box.x + (x1 + x2) / 2, box.y + (y1 + y2) / 2);
    await expect.poll(() => tooltip().isVisible()).toBe(true);
    const text = await tooltip().innerText();
    expect(text).toMatch(/^(AppendEntries|RequestVote) S\d → S\d\nsent \d+\.\d{4}s/);
    expect(text).toMatch(/\nargs: term=\d+/);
    expect(text).toMatch(/\n\d{6} [A-Z0-9]{4} S\d /);
  });

  it('hovering a lane shows the peer\'s state and its nearest log line', async () => {
    const first = page.locator('details.run').first();
    const lane = (await first.locator('.tl-lane[data-peer="2"] rect.tl-lane-bg').boundingBox())!;
    await page.mouse.move(lane.x + lane.width * 0.6, lane.y + lane.height - 4);
    await expect.poll(() => tooltip().innerText()).toMatch(/^S2 at \d+\.\d{4}s\n/);
    const text = await tooltip().innerText();
    expect(text).toMatch(/\n(follower|candidate|leader), term \d+\n|\ndown \(crashed\)\n/);
    expect(text).toMatch(/\ncommit index \d+, applied \d+/);
    expect(text).toMatch(/\n\d{6} [A-Z0-9]{4} S2 /);
  });

  it('zooms with the wheel and returns to the whole run', async () => {
    const first = page.locator('details.run').first();
    await first.locator('button[data-action="whole"]').click();
    const before = await axisTicks();
    expect(before[0]).toBe('0.0s');
    const box = (await first.locator('svg.tl-svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
    await expect.poll(axisTicks).not.toEqual(before);
    const zoomed = (await axisTicks()).map((t) => Number.parseFloat(t));
    expect(zoomed[0]).toBeGreaterThan(0);
    expect(zoomed.at(-1)! - zoomed[0]!).toBeLessThan(Number.parseFloat(before.at(-1)!) / 2);
    await first.locator('button[data-action="whole"]').click();
    expect(await axisTicks()).toEqual(before);
  });

  it('pans and zooms with the keys once it has focus, without scrolling the page', async () => {
    const first = page.locator('details.run').first();
    await first.locator('button[data-action="failure"]').click();
    const aroundFailure = await axisTicks();
    await first.locator('button[data-action="whole"]').click();
    const whole = await axisTicks();
    const svg = first.locator('svg.tl-svg');
    await svg.focus();
    const scrollY = await page.evaluate('window.scrollY');
    const seconds = async () => (await axisTicks()).map((t) => Number.parseFloat(t));
    const span = (ticks: number[]) => ticks.at(-1)! - ticks[0]!;

    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoomed = await seconds();
    expect(zoomed[0]).toBeGreaterThan(0);
    expect(span(zoomed)).toBeLessThan(span(whole.map(Number.parseFloat)) / 1.5);
    await page.keyboard.press('ArrowRight');
    const panned = await seconds();
    expect(panned[0]).toBeGreaterThan(zoomed[0]!);
    expect(span(panned)).toBeCloseTo(span(zoomed), 1);
    await page.keyboard.press('ArrowLeft');
    expect(await seconds()).toEqual(zoomed);
    await page.keyboard.press('-');
    expect(span(await seconds())).toBeGreaterThan(span(zoomed));
    await page.keyboard.press('f');
    expect(await axisTicks()).toEqual(aroundFailure);
    await page.keyboard.press('0');
    expect(await axisTicks()).toEqual(whole);
    expect(await page.evaluate('window.scrollY')).toBe(scrollY);
  });

  it('draws another run when it is opened: an unreliable network, delayed, lost and held messages', async () => {
    const second = page.locator('details.run', { hasText: 'TestFigure8Unreliable2C #0 · seed 39' });
    expect(await second.locator('.tl-lane').count()).toBe(0);
    await second.locator('summary').click();
    await second.locator('.tl-lane').first().waitFor();
    await second.locator('button[data-action="whole"]').click();
    expect(await second.locator('.tl-lane').count()).toBe(5);
    expect(await second.locator('rect.tl-net.unreliable').count()).toBe(1);
    expect(await second.locator('line.tl-rpc.request.delayed').count()).toBeGreaterThan(0);
    expect(await second.locator('path.tl-lost.lost').count()).toBeGreaterThan(0);
    expect(await second.locator('line.tl-rpc.reply.held').count()).toBeGreaterThan(0);
    expect(await second.locator('rect.tl-net.reordering').count()).toBe(1);
    // This test cuts leaders off and never crashes a peer: every hatched span is a disconnection.
    expect(await second.locator('.tl-band.down').count()).toBe(0);
    expect(await second.locator('rect.tl-cut').count()).toBeGreaterThan(0);
    expect(await second.locator('.tl-failure-marker').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('draws InstallSnapshots apart, labelled with the last index each carries, and says what the snapshot holds on hover', async () => {
    // A page of its own, closed after: a page left open in the background would slow the others' timers.
    const requestsBefore = requests.length;
    const snapshotPage = await context.newPage();
    snapshotPage.on('pageerror', (error) => pageErrors.push(String(error)));
    await snapshotPage.goto(pathToFileURL(snapshotHtml).href);
    expect(requests.slice(requestsBefore)).toEqual([pathToFileURL(snapshotHtml).href]);
    const run = snapshotPage.locator('details.run', { hasText: 'TestSnapshotInstall2D #0 · seed 1' });
    await run.locator('summary').click();
    await run.locator('.tl-lane').first().waitFor();
    await run.locator('button[data-action="whole"]').click();
    const snapshots = run.locator('line.tl-rpc.request.snapshot');
    expect(await snapshots.count()).toBeGreaterThan(0);
    expect(await run.locator('line.tl-rpc.request.append.snapshot, line.tl-rpc.request.other').count()).toBe(0);
    expect(await snapshots.first().getAttribute('marker-end')).toMatch(/^url\(#tl\d+-arrow-snapshot\)$/);
    const labels = await run.locator('text.tl-snapshot-label').allTextContents();
    expect(labels).toHaveLength(await snapshots.count());
    for (const label of labels) expect(label).toMatch(/^snapshot ≤\d+$/);
    expect(await run.locator('.tl-legend').innerText()).toContain('InstallSnapshot');

    // Zoom in on the first delivered one until it stands alone, then hover its middle.
    const svg = run.locator('svg.tl-svg');
    const arrow = run.locator('line.tl-rpc.request.snapshot.ok').first();
    const middle = async () => {
      const [x1, y1, x2, y2] = await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (a) => Number(await arrow.getAttribute(a))));
      const box = (await svg.boundingBox())!;
      return { x: box.x + (x1 + x2) / 2, y: box.y + (y1 + y2) / 2 };
    };
    for (let i = 0; i < 12; i++) {
      const { x, y } = await middle();
      await snapshotPage.mouse.move(x, y);
      await snapshotPage.mouse.wheel(0, -400);
    }
    const { x, y } = await middle();
    await snapshotPage.mouse.move(x, y);
    const tip = snapshotPage.locator('.tl-tooltip').first();
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    const head = /^InstallSnapshot S\d → S\d\nsnapshot of the log through index (\d+) \(term (\d+)\)\nsent \d+\.\d{4}s/.exec(text);
    expect(head).not.toBeNull();
    expect(text).toContain(`\nargs: term=`);
    expect(text).toContain(`lastIncludedIndex=${head![1]} lastIncludedTerm=${head![2]}`);
    expect(labels).toContain(`snapshot ≤${head![1]}`);
    expect(pageErrors).toEqual([]);
    await snapshotPage.close();
  });

  it('saves a screenshot under reports/', async () => {
    await page.locator('details.run', { hasText: 'TestFigure8Unreliable2C #0 · seed 39' }).locator('summary').click();
    const first = page.locator('details.run').first();
    await first.locator('button[data-action="failure"]').click();
    await mkdir(join(root, 'reports'), { recursive: true });
    const path = join(root, 'reports', 'timeline-browser.png');
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(20_000);
  });
});
