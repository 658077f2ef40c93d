import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { publisherToken } from './helpers/tokens.js';

const ARTIFACTS = 'test-artifacts';
/** Every wait on the page is bounded by this (generous: CI machines are shared and busy). */
const UI_TIMEOUT_MS = 10_000;

describe('GET /: the demo page in headless Chromium', () => {
  let hub: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const publisher = publisherToken();

  beforeAll(async () => {
    // A short history, so the page can be shown a resume that missed events.
    hub = await createTestApp({ env: { SSE_HISTORY_SIZE: '3', SSE_RETRY_MS: '200' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1400 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  const screenshot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}/${name}` });
  };
  const eventTypes = () => page.locator('#events .event .type').allTextContents();
  const eventsOfType = (type: string) =>
    page.locator('#events .event .type', {
      hasText: new RegExp(`^${type.replace(/\./g, '\\.')}$`),
    });
  /** Waits for `count` events of `type` in the list; on a timeout, says what the page showed. */
  const waitForEvent = async (type: string, count = 1) => {
    try {
      await eventsOfType(type)
        .nth(count - 1)
        .waitFor();
    } catch (error) {
      await screenshot(`failure-${type}.png`).catch(() => undefined);
      const shown = await page
        .locator('#events .event')
        .allTextContents()
        .catch(() => []);
      const notice = await page
        .locator('#notice')
        .textContent()
        .catch(() => '');
      const state = await page
        .locator('#status-text')
        .textContent()
        .catch(() => '');
      throw new Error(
        `${count} "${type}" event(s) not shown: state ${state}, notice ${JSON.stringify(notice)}, ` +
          `events ${JSON.stringify(shown)}`,
        { cause: error },
      );
    }
  };

  it('serves the page with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${hub.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${hub.url}/demo/app.js`)).status).toBe(200);
    expect((await fetch(`${hub.url}/demo/..%2Fdemo.module.ts`)).status).toBe(404);
  });

  it('mints a token, connects, subscribes, and shows events published from the page and over REST', async () => {
    await page.goto(`${hub.url}/`);
    await expect(page.locator('#status-text').textContent()).resolves.toBe('closed');

    await page.fill('#mint-sub', 'browser-user');
    await page.fill('#mint-topics', 'news/#');
    await page.click('#mint-button');
    await page.locator('#token-facts').waitFor();
    await expect(page.locator('#token-topics').textContent()).resolves.toBe('news/#');

    await page.click('#connect');
    await page.locator('#status[data-state="open"]').waitFor();
    await page.locator('#conn-client', { hasText: 'browser-user' }).waitFor();
    await waitForEvent('connected');

    await page.fill('#topic-input', 'news/eu');
    await page.click('#subscribe');
    await page.locator('#topics .chip', { hasText: 'news/eu' }).waitFor();
    // The token's topics claim is enforced, and the page says so.
    await page.fill('#topic-input', 'sport/eu');
    await page.click('#subscribe');
    await page.locator('#topics-message', { hasText: '403' }).waitFor();

    // Published through the page, to the topic; the data tries to be HTML.
    await page.click('label:has(input[value="topic"])');
    await page.fill('#publish-target', 'news/eu');
    await page.fill('#publish-event', 'page.note');
    await page.fill('#publish-data', '{"headline": "<img src=x onerror=alert(1)>"}');
    await page.click('#publish');
    await page.locator('#publish-message', { hasText: '1 connection here took it' }).waitFor();
    await waitForEvent('page.note');

    // Published over the REST API, to the client.
    const receipt = await publish(hub.url, publisher, 'clients/browser-user', 'rest.note', {
      from: 'the API',
    });
    expect(receipt.status).toBe(202);
    await waitForEvent('rest.note');

    expect(await eventTypes()).toEqual(['rest.note', 'page.note', 'connected']);
    const newest = page.locator('#events .event').first();
    await expect(newest.locator('.id').textContent()).resolves.toBe(`id ${receipt.body.id}`);
    await expect(newest.locator('.data').textContent()).resolves.toContain('"from": "the API"');
    // Shown as text, never parsed as HTML.
    await expect(page.locator('#events img').count()).resolves.toBe(0);
    await expect(
      page.locator('#events .event').nth(1).locator('.data').textContent(),
    ).resolves.toContain('<img src=x onerror=alert(1)>');
    await screenshot('demo-page.png');
  });

  it('resumes after a dropped connection and says nothing was missed', async () => {
    await page.click('#drop');
    await page.locator('#notice', { hasText: 'nothing was missed' }).waitFor();
    await page.locator('#status[data-state="open"]').waitFor();
    const receipt = await publish(hub.url, publisher, 'clients/browser-user', 'after.drop', 1);
    expect(receipt.body.delivered).toBe(1);
    await waitForEvent('after.drop');
  });

  it('says so when a resume missed events that history no longer holds', async () => {
    await page.click('#disconnect');
    await page.locator('#status[data-state="closed"]').waitFor();
    // More events than the history of 3 keeps, while the page is away.
    for (let i = 0; i < 5; i++) {
      expect((await publish(hub.url, publisher, 'clients/browser-user', 'missed', i)).status).toBe(
        202,
      );
    }
    await page.click('#connect');
    await page
      .locator('#notice[data-kind="warn"]', { hasText: 'some events were missed' })
      .waitFor();
    await page.locator('#status[data-state="open"]').waitFor();
    // History still held the last 3 of the 5: those are replayed; the first 2 are gone.
    await waitForEvent('missed', 3);
    expect((await eventTypes()).filter((type) => type === 'missed')).toHaveLength(3);
    await screenshot('demo-page-missed.png');
  });

  it('unsubscribes from the page', async () => {
    await page.click('#topics .chip:has-text("news/eu") .chip-remove');
    await page.locator('#topics-empty').waitFor();
    const listed = await request(hub.url, 'GET', '/sse/subscriptions', {
      token: publisherToken('browser-user'),
    });
    expect(listed.body).toEqual({ topics: [] });
  });
});
