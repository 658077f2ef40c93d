import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

const WAIT_MS = 10_000;

/** What the page's EventSource went through, read from the browser. */
interface BrowserStream {
  errors: number;
  connected: string[];
  /** readyState after every error: 0 CONNECTING (it will retry), 2 CLOSED (it gave up). */
  statesAfterError: number[];
}

/**
 * Chromium's own EventSource against the retry answers of GET /sse (docs/protocol.md): after
 * each, the browser must wait and reconnect by itself, never give up (readyState CLOSED) as it
 * does on a 429 or a 503.
 */
describe("Chromium's EventSource and the retry answers", () => {
  let hub: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    hub = await createTestApp({
      env: {
        SSE_MAX_CONNECTIONS: '1',
        SSE_CONNECT_RATE_PER_MINUTE: '8',
        SSE_RETRY_MS: '200',
        SSE_DEMO_FEED: 'off',
      },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${hub.url}/`); // same origin as the stream
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const openInBrowser = (jwt: string) =>
    page.evaluate((url) => {
      const state: BrowserStream = { errors: 0, connected: [], statesAfterError: [] };
      const source = new EventSource(url);
      source.addEventListener('connected', (event) =>
        state.connected.push(JSON.parse((event as MessageEvent).data).clientId),
      );
      source.onerror = () => {
        state.errors++;
        state.statesAfterError.push(source.readyState);
      };
      Object.assign(globalThis, { sseState: state, sseSource: source });
    }, `${hub.url}/sse?token=${jwt}`);
  const browserState = () =>
    page.evaluate(() => (globalThis as unknown as { sseState: BrowserStream }).sseState);
  /** Waits (bounded) until the page's stream state passes `check`. */
  const waitInBrowser = (check: (state: BrowserStream) => boolean) =>
    waitFor(async () => check(await browserState()), {
      timeoutMs: WAIT_MS,
      intervalMs: 50,
      what: check.toString(),
    });

  it('reconnects after "instance full" answers once there is room', async () => {
    const holder: SseReader = await connect(`${hub.url}/sse`, { token: token({ sub: 'holder' }) });
    try {
      await openInBrowser(token({ sub: 'browser-full' }));
      await waitInBrowser((state) => state.errors >= 1);
      holder.close();
      await waitInBrowser((state) => state.connected.length === 1);
      const state = await browserState();
      expect(state.connected).toEqual(['browser-full']);
      expect(state.statesAfterError.every((readyState) => readyState === 0)).toBe(true);
    } finally {
      holder.close();
      await page.evaluate(() =>
        (globalThis as unknown as { sseSource: EventSource }).sseSource.close(),
      );
    }
  });

  it('keeps retrying, never closed, after "rate limited" answers', async () => {
    // Spend what is left of this address's attempts (8 a minute), as a client in a loop would.
    const reasons: (string | null)[] = [];
    for (let i = 0; i < 10 && !reasons.includes('rate_limited'); i++) {
      const answer = await fetch(`${hub.url}/sse`); // no token: counted, then 401
      await answer.text();
      reasons.push(answer.headers.get('x-sse-retry-reason'));
    }
    expect(reasons).toContain('rate_limited');
    await openInBrowser(token({ sub: 'browser-limited' }));
    try {
      await waitInBrowser((state) => state.errors >= 1);
      const state = await browserState();
      expect(state.connected).toEqual([]);
      // Told to come back after the rest of the minute: still CONNECTING, not given up.
      expect(state.statesAfterError.every((readyState) => readyState === 0)).toBe(true);
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { sseSource: EventSource }).sseSource.readyState,
        ),
      ).toBe(0);
    } finally {
      await page.evaluate(() =>
        (globalThis as unknown as { sseSource: EventSource }).sseSource.close(),
      );
    }
  });
});
