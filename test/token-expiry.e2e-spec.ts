import jwt from 'jsonwebtoken';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish } from './helpers/http.js';
import { metric } from './helpers/metrics.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { publisherToken, TEST_SECRET, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(BROKERS)('a stream whose token expires (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterAll(() => hub.close());

  it('is ended at the token’s exp, and the client resumes with a fresh token', async () => {
    // JWT exp has whole seconds: this token runs out 1-2 s from now.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = jwt.sign({ sub: 'expiring', exp }, TEST_SECRET, { algorithm: 'HS256' });
    const closedBefore =
      (await metric(hub.url, 'sse_connections_closed_total{reason="token_expired"}')) ?? 0;

    const reader = await connect(`${hub.url}/sse`, { token: shortLived });
    const receipt = await publish(hub.url, publisher, 'clients/expiring', 'before', 1);
    await reader.waitForEvents('before', 1);

    // The server ends the stream itself (no close() here), no earlier than exp.
    await Promise.race([
      reader.ended,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error('stream still open 5 s after exp')),
          exp * 1000 - Date.now() + 5_000,
        ).unref(),
      ),
    ]);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 5);
    await waitFor(
      async () =>
        (await metric(hub.url, 'sse_connections_closed_total{reason="token_expired"}')) ===
        closedBefore + 1,
      { what: 'the close counted as token_expired' },
    );

    // An event published while the client had no stream...
    const missed = await publish(hub.url, publisher, 'clients/expiring', 'while-away', 2);
    expect(missed.body.delivered).toBe(0);

    // ...the same token no longer opens one...
    const refused = await openSse(`${hub.url}/sse`, { token: shortLived });
    expect(refused.status).toBe(401);

    // ...a fresh one resumes from the last event seen, losing nothing.
    const resumed = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'expiring' }),
      headers: { 'last-event-id': receipt.body.id },
    });
    try {
      expect(resumed.greeting.recovered).toBe(true);
      const [event] = await resumed.waitForEvents('while-away', 1);
      expect(event).toEqual({ id: missed.body.id, event: 'while-away', data: '2' });
    } finally {
      resumed.close();
    }
  });
});
