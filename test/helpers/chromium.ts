import { existsSync } from 'node:fs';
import playwright, { type Browser } from 'playwright-core';

/** Debian's Chromium, which `npm test`'s pretest installs (playwright-core downloads no browser). */
const CHROMIUM = '/usr/bin/chromium';

/** Headless, and without the background traffic this machine's closed network refuses. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium, or says how to install it. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (npm test's pretest does this)`,
    );
  }
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
