import { connect as tcpConnect, type Socket } from 'node:net';
import { NotificationService } from 'nestjs-sse-hub';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { metric } from './helpers/metrics.js';
import { connect } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

const MB = 1024 * 1024;

/** A client that sends its request and never reads: the server's buffers for it fill up. */
function stalledStream(url: string, clientId: string, lastEventId?: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect(Number(port), hostname, () => {
      socket.write(
        `GET /sse HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token({ sub: clientId })}\r\n` +
          (lastEventId ? `Last-Event-ID: ${lastEventId}\r\n` : '') +
          '\r\n',
      );
      // The response headers arrive; then it stops reading.
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.on('error', () => undefined);
  });
}

/** A large string of its own (not a slice or a repeat of a shared one), as a parsed body is. */
const payload = (n: number, size: number): string => `${n}:`.padEnd(size, String(n % 10));

/**
 * Highest RSS growth over a window after the stalled clients are set up: before the fix a whole
 * replay (or every event sent) was queued at once, within milliseconds, so a window of a second
 * shows it; after it the figure stays flat.
 */
async function peakGrowthOver(windowMs: number, baseline: number): Promise<number> {
  let peak = process.memoryUsage().rss;
  const until = Date.now() + windowMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return peak - baseline;
}

describe('Memory stays bounded for clients that stop reading (memory broker, in-process app)', () => {
  let hub: TestApp;
  const sockets: Socket[] = [];

  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.destroy());
    await hub?.close();
  });

  it('closes stalled clients sent large targeted events once their queues pass 1 MiB; RSS stays low', async () => {
    // History kept small, so what is measured is what the stalled connections hold.
    hub = await createTestApp({ env: { SSE_HISTORY_SIZE: '10' } });
    const notifications = hub.app.get(NotificationService);
    const CLIENTS = 10;
    const EVENTS = 400; // 400 x 60 KB = 24 MB per client: past its socket buffers (a few MB) and under the 1,000-frame bound
    for (let c = 0; c < CLIENTS; c++) sockets.push(await stalledStream(hub.url, `stalled-${c}`));
    await waitFor(async () => notifications.openConnections === CLIENTS, {
      what: 'stalled streams open',
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let n = 0; n < EVENTS; n++) {
      for (let c = 0; c < CLIENTS; c++) {
        await notifications.sendToClient(`stalled-${c}`, 'big', payload(n, 60_000));
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    await waitFor(
      async () =>
        (await metric(hub.url, 'sse_connections_closed_total{reason="too_slow"}')) === CLIENTS,
      {
        what: 'every stalled client closed as too slow',
      },
    );
    // Unbounded in bytes, the queues held about 10 x 20 MB; bounded, at most 10 x ~1.3 MB.
    expect((peak - before) / MB).toBeLessThan(80);
  });

  it('replays to stalled resumers page by page: 10 of them over 400 events of 60 KB keep RSS growth low', async () => {
    hub = await createTestApp({ env: { SSE_HISTORY_SIZE: '400' } });
    const notifications = hub.app.get(NotificationService);
    const start = await connect(`${hub.url}/sse`, { token: token({ sub: 'resumer-0' }) });
    start.close();
    for (let n = 0; n < 400; n++) {
      await notifications.broadcast('big', payload(n, 60_000));
    }
    const before = process.memoryUsage().rss;
    for (let c = 0; c < 10; c++)
      sockets.push(await stalledStream(hub.url, `resumer-${c}`, start.greetingId));
    // Before, each stalled resumer held the whole replay (24 MB) and more: about 46 MB each.
    expect((await peakGrowthOver(1_000, before)) / MB).toBeLessThan(80);
    // The hub still serves: a new client resumes and reads everything.
    const reader = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'reader' }),
      headers: { 'last-event-id': start.greetingId! },
    });
    try {
      expect(reader.greeting.recovered).toBe(true);
      expect(await reader.waitForEvents('big', 400, 20_000)).toHaveLength(400);
    } finally {
      reader.close();
    }
  });

  it('survives a resume over a full history (10,000) of maximum-size events (64 KiB): no 640 MB string, no crash', async () => {
    hub = await createTestApp();
    const notifications = hub.app.get(NotificationService);
    const start = await connect(`${hub.url}/sse`, { token: token({ sub: 'full-0' }) });
    start.close();
    // One shared string keeps the test's own memory small; each event's frame is its own.
    const largest = 'x'.repeat(64 * 1024 - 64);
    for (let n = 0; n < 10_000; n++) {
      await notifications.broadcast('big', largest);
    }
    sockets.push(await stalledStream(hub.url, 'full-stalled', start.greetingId));
    const reader = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'full-reader' }),
      headers: { 'last-event-id': start.greetingId! },
    });
    try {
      expect(reader.greeting.recovered).toBe(true);
      expect(await reader.waitForEvents('big', 300, 20_000)).toHaveLength(300);
    } finally {
      reader.close();
    }
    const live = await connect(`${hub.url}/sse`, { token: token({ sub: 'full-live' }) });
    try {
      await notifications.broadcast('after', 'still here');
      expect(await live.waitForEvents('after', 1)).toHaveLength(1);
    } finally {
      live.close();
    }
  });
});
