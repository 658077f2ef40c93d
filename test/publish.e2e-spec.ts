import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

describe.each(BROKERS)('Publishing (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterAll(() => hub.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(hub.url, 'POST', path, { token: publisher, body, headers });

  it.each([
    ['a missing event', { data: 1 }],
    ['a missing data field', { event: 'x' }],
    ['an empty event', { event: '', data: 1 }],
    ['an event with a newline', { event: 'a\nb', data: 1 }],
    ['an event with a space', { event: 'a b', data: 1 }],
    ['an event of 65 characters', { event: 'e'.repeat(65), data: 1 }],
    ['an event that is not a string', { event: 7, data: 1 }],
    ['the reserved event "connected"', { event: 'connected', data: 1 }],
    ['the reserved event "error"', { event: 'error', data: 1 }],
    ['an unknown field', { event: 'x', data: 1, target: 'all' }],
    ['a body that is a list', [{ event: 'x', data: 1 }]],
    [
      'string data with an unpaired surrogate, which SSE would turn into U+FFFD',
      { event: 'x', data: 'a\ud800b' },
    ],
    ['malformed JSON', '{"event": "x", "data": '],
  ])('answers 400 to %s and delivers nothing', async (_name, body) => {
    const jwt = token({ sub: 'pub-watcher' });
    const reader = await connect(`${hub.url}/sse`, { token: jwt });
    try {
      for (const path of [
        '/notifications/broadcast',
        '/notifications/clients/pub-watcher',
        '/notifications/topics/t',
      ]) {
        const response = await post(path, body, { 'content-type': 'application/json' });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      // A valid event afterwards is the first and only one the watcher sees.
      await post('/notifications/clients/pub-watcher', { event: 'valid', data: 'ok' });
      await reader.waitForEvents('valid', 1);
      expect(reader.events.map((e) => e.event)).toEqual(['connected', 'valid']);
    } finally {
      reader.close();
    }
  });

  it('accepts any JSON data up to 64 KiB and answers 413 above it', async () => {
    const envelope = JSON.stringify({ event: 'big', data: '' }).length;
    const fits = await post('/notifications/broadcast', {
      event: 'big',
      data: 'x'.repeat(64 * 1024 - envelope),
    });
    expect(fits.status).toBe(202);
    const tooBig = await post('/notifications/broadcast', {
      event: 'big',
      data: 'x'.repeat(64 * 1024),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const huge = await post('/notifications/broadcast', {
      event: 'big',
      data: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it('accepts string data with carriage returns (a <textarea> sends \\r\\n); each line arrives as a line, ended by \\n', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'pub-crlf' }) });
    try {
      const sent = 'Dear Ann,\r\n\r\nthe invoice\ris paid.\n-- Bob\r\n';
      const response = await post('/notifications/clients/pub-crlf', {
        event: 'letter',
        data: sent,
      });
      expect(response.status).toBe(202);
      const [letter] = await reader.waitForEvents('letter', 1);
      expect(letter.data).toBe('Dear Ann,\n\nthe invoice\nis paid.\n-- Bob\n');
      expect(letter.id).toBe(response.body.id);
    } finally {
      reader.close();
    }
  });

  it('answers 400 to a bad topic or client id in the path', async () => {
    expect((await post('/notifications/topics/a%20b', { event: 'x', data: 1 })).status).toBe(400);
    expect((await post('/notifications/topics/a//b', { event: 'x', data: 1 })).status).toBe(400);
    expect(
      (await post(`/notifications/clients/${'c'.repeat(300)}`, { event: 'x', data: 1 })).status,
    ).toBe(400);
  });

  it('answers 202 with the event id and the connections that took it', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'pub-receipt' }) });
    try {
      const response = await post('/notifications/clients/pub-receipt', {
        event: 'x',
        data: { ok: true },
      });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ id: expect.stringMatching(/^\d+-\d+$/), delivered: 1 });
      const nobody = await post('/notifications/clients/nobody-here', { event: 'x', data: 1 });
      expect(nobody.body.delivered).toBe(0);
    } finally {
      reader.close();
    }
  });
});
