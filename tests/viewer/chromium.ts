/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (no
 * browser is downloaded), driven by playwright-core. Where it is missing the
 * tests are skipped, saying how to get it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.RAFT_DSTEST_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const SKIP_MESSAGE = `browser tests skipped: no Chromium at ${CHROMIUM_PATH}; install Debian's chromium package (apt-get install chromium; npm test tries to, as root or with password-free sudo), or set RAFT_DSTEST_CHROMIUM`;

/**
 * The flags this machine needs: no sandbox (tests run as root in CI), and
 * none of Chromium's background connections, which a closed network refuses.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}
