import { compareEventIds } from 'nestjs-sse-hub';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { BROKERS } from './helpers/brokers.js';
import { publisherToken, token } from './helpers/tokens.js';

describe.each(BROKERS)('POST /notifications/batch (%s broker)', (broker) => {
  let hub: TestApp;
  const open: SseReader[] = [];
  const publisher = publisherToken('batcher');

  beforeAll(async () => {
    hub = await createTestApp({ broker, env: { SSE_MAX_BATCH_SIZE: '5' } });
  });
  afterEach(() => open.splice(0).forEach((reader) => reader.close()));
  afterAll(() => hub.close());

  const batch = (publications: unknown, jwt = publisher) =>
    request(hub.url, 'POST', '/notifications/batch', { token: jwt, body: { publications } });

  it('accepts each publication in order, to its own target, and refuses a bad one alone', async () => {
    const ann = await connect(`${hub.url}/sse?topic=room/1`, { token: token({ sub: 'ann' }) });
    const bob = await connect(`${hub.url}/sse`, { token: token({ sub: 'bob' }) });
    open.push(ann, bob);

    const answer = await batch([
      { target: { client: 'ann' }, event: 'note', data: { n: 1 } },
      { target: { topic: 'room/1' }, event: 'chat', data: 'hello' },
      { target: { client: 'ann' }, event: 'bad type!', data: 2 },
      { target: { broadcast: true }, event: 'all', data: [3] },
      { target: { client: 'ann', topic: 'room/1' }, event: 'note', data: 4 },
    ]);

    expect(answer.status).toBe(200);
    const receipts = answer.body.receipts;
    expect(receipts).toHaveLength(5);
    expect(receipts[2]).toEqual({
      error: { statusCode: 400, message: expect.stringMatching(/event type/) },
    });
    expect(receipts[4]).toEqual({
      error: { statusCode: 400, message: expect.stringMatching(/exactly one of/) },
    });
    const ids = [receipts[0].id, receipts[1].id, receipts[3].id];
    // Accepted in the order given: ids increase in item order.
    expect([...ids].sort(compareEventIds)).toEqual(ids);
    expect(receipts[0].delivered).toBe(1);

    await ann.waitForEvents('all', 1);
    await bob.waitForEvents('all', 1);
    expect(ann.events.slice(1)).toEqual([
      { id: ids[0], event: 'note', data: '{"n":1}' },
      { id: ids[1], event: 'chat', data: 'hello' },
      { id: ids[2], event: 'all', data: '[3]' },
    ]);
    expect(bob.events.slice(1)).toEqual([{ id: ids[2], event: 'all', data: '[3]' }]);
  });

  it('answers a repeated idempotency key with the first receipt, delivering once', async () => {
    const cleo = await connect(`${hub.url}/sse`, { token: token({ sub: 'cleo' }) });
    open.push(cleo);
    const first = await batch([
      { target: { client: 'cleo' }, event: 'once', data: 1, idempotencyKey: 'k-1' },
    ]);
    const again = await batch([
      { target: { client: 'cleo' }, event: 'once', data: 1, idempotencyKey: 'k-1' },
      { target: { client: 'cleo' }, event: 'after', data: 2 },
    ]);
    expect(again.body.receipts[0]).toEqual({
      id: first.body.receipts[0].id,
      delivered: 0,
      repeated: true,
    });
    await cleo.waitForEvents('after', 1);
    expect(cleo.ofType('once')).toHaveLength(1);
  });

  it('refuses a body that is not a batch, or too large a batch, and publishes nothing', async () => {
    const dan = await connect(`${hub.url}/sse`, { token: token({ sub: 'dan' }) });
    open.push(dan);
    const item = { target: { client: 'dan' }, event: 'never', data: 0 };
    for (const body of [
      {},
      { publications: [] },
      { publications: item },
      { publications: [item], extra: 1 },
    ]) {
      const answer = await request(hub.url, 'POST', '/notifications/batch', {
        token: publisher,
        body,
      });
      expect(answer.status).toBe(400);
    }
    const tooMany = await batch(Array.from({ length: 6 }, () => item));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/1-5 publications/);
    const unknown = await batch([
      { ...item, colour: 'red' },
      { target: { client: 'dan' }, event: 'ok', data: 1 },
    ]);
    expect(unknown.body.receipts[0]).toEqual({
      error: { statusCode: 400, message: 'Unknown fields: colour' },
    });
    await dan.waitForEvents('ok', 1);
    expect(dan.ofType('never')).toEqual([]);
  });

  it('is for publishers only', async () => {
    const answer = await batch(
      [{ target: { broadcast: true }, event: 'x', data: 1 }],
      token({ sub: 'mallory' }),
    );
    expect(answer.status).toBe(403);
  });
});
