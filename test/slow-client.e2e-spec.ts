import { connect as tcpConnect, type Socket } from 'node:net';
import { createParser } from 'eventsource-parser';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/** A raw socket SSE client whose reading can be paused, so its server-side buffers fill up. */
function openRawStream(
  url: string,
  jwt: string,
): Promise<{ socket: Socket; ids: string[]; ended: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = tcpConnect(Number(port), hostname);
  const ids: string[] = [];
  const parser = createParser({
    onEvent: (event) => event.id && event.event === 'load' && ids.push(event.id),
  });
  let headerDone = false;
  let buffer = '';
  const ended = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  return new Promise((resolve) => {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (headerDone) {
        parser.feed(chunk);
        return;
      }
      buffer += chunk;
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        headerDone = true;
        parser.feed(buffer.slice(end + 4));
        resolve({ socket, ids, ended });
      }
    });
    // HTTP/1.0: the body comes unframed (no chunked encoding) and ends when the server closes.
    socket.write(`GET /sse HTTP/1.0\r\nHost: ${hostname}\r\nAuthorization: Bearer ${jwt}\r\n\r\n`);
  });
}

describe.each(BROKERS)('A client that stops reading (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker, env: { SSE_MAX_QUEUED_EVENTS: '16' } });
  });
  afterAll(() => hub.close());

  it('is closed while others keep receiving, and resumes without loss', async () => {
    const fast = await connect(`${hub.url}/sse`, { token: token({ sub: 'fast' }) });
    const slow = await openRawStream(hub.url, token({ sub: 'slow' }));
    slow.socket.pause();

    const payload = 'x'.repeat(32 * 1024);
    const COUNT = 400; // about 13 MB: far more than the socket buffers of a paused reader hold
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const receipt = await publish(hub.url, publisher, 'broadcast', 'load', `${i}:${payload}`);
      expect(receipt.status).toBe(202);
      ids.push(receipt.body.id);
    }

    // The fast client got everything, in order.
    const got = await fast.waitForEvents('load', COUNT, 20_000);
    expect(got.map((e) => e.id)).toEqual(ids);
    fast.close();

    // The slow client, once it reads again, finds its stream was ended part-way.
    slow.socket.resume();
    await slow.ended;
    expect(slow.ids.length).toBeLessThan(COUNT);
    expect(slow.ids).toEqual(ids.slice(0, slow.ids.length));

    // Resuming from the last event it got brings the rest, exactly.
    const lastSeen = slow.ids.at(-1);
    expect(lastSeen).toBeDefined();
    const resumed = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'slow' }),
      headers: { 'last-event-id': lastSeen as string },
    });
    try {
      expect(resumed.greeting.recovered).toBe(true);
      const rest = await resumed.waitForEvents('load', COUNT - slow.ids.length, 20_000);
      expect([...slow.ids, ...rest.map((e) => e.id)]).toEqual(ids);
    } finally {
      resumed.close();
    }
  });
});
