// Measures what history costs in Redis: appends N events through the real Redis adapter (the
// same Lua script, the same stream format) and reads MEMORY USAGE of the events stream.
//
//   npm run build && node scripts/measure-redis-history.mjs [redis-url]
//
// Uses its own key prefix and deletes it afterwards; never flushes anything.
import { randomBytes } from 'node:crypto';
import { RedisConnections } from '../dist/libs/sse/src/adapters/redis/redis-connections.js';
import { RedisEventStreamAdapter } from '../dist/libs/sse/src/adapters/redis/redis-event-stream.adapter.js';
import { RedisHubFeed } from '../dist/libs/sse/src/adapters/redis/redis-hub-feed.js';

const url = process.argv[2] ?? 'redis://127.0.0.1:6379';
const silent = { log() {}, warn() {} };

const shapes = {
  'small JSON to a client ({"orderId":12345,"status":"shipped"})': (n) => ({
    type: 'order.updated',
    target: { kind: 'client', clientId: `user-${n % 500}` },
    data: { orderId: 10_000 + n, status: 'shipped' },
  }),
  'small JSON to a topic': (n) => ({
    type: 'price',
    target: { kind: 'topic', topic: `prices/eur/${n % 50}` },
    data: { symbol: 'ABC', price: 101.25 + n / 100 },
  }),
  '1 KiB string broadcast': (n) => ({
    type: 'news',
    target: { kind: 'broadcast' },
    data:
      randomBytes(768)
        .toString('base64')
        .slice(0, 1024 - String(n).length) + n,
  }),
};

/** Appends `appended` events to a history of `size`, then measures the stream. */
async function measure(label, make, size, appended = size) {
  const count = size;
  const prefix = `sse-measure:${process.pid}:${randomBytes(3).toString('hex')}`;
  const redis = new RedisConnections({ topology: { url }, keyPrefix: prefix, logger: silent });
  const feed = new RedisHubFeed(redis, silent);
  const stream = new RedisEventStreamAdapter(redis, feed, count);
  try {
    await redis.whenReady();
    let payloadBytes = 0;
    for (let start = 0; start < appended; start += 500) {
      const batch = [];
      for (let n = start; n < Math.min(appended, start + 500); n++) {
        const draft = make(n);
        if (n >= appended - size) payloadBytes += Buffer.byteLength(JSON.stringify(draft.data));
        batch.push(stream.append(draft));
      }
      await Promise.all(batch);
    }
    const bytes = await redis.publisher.call('MEMORY', 'USAGE', redis.keys.events, 'SAMPLES', '0');
    const perEvent = Number(bytes) / count;
    console.log(
      `${label}, history ${size}, ${appended} appended: ${bytes} bytes = ${perEvent.toFixed(1)} B/event ` +
        `(payload ${(payloadBytes / count).toFixed(0)} B, overhead ${(perEvent - payloadBytes / count).toFixed(1)} B)`,
    );
  } finally {
    await redis.publisher.del(redis.keys.events, redis.keys.history, redis.keys.sequence);
    stream.close();
    feed.close();
    await redis.close();
  }
}

for (const [label, make] of Object.entries(shapes)) {
  await measure(label, make, 1_000);
  await measure(label, make, 10_000);
  // Steady state: the stream has been trimmed for a while (trimmed entries free their memory
  // a node at a time, so a rolling stream can hold a little more than a fresh one).
  await measure(label, make, 10_000, 30_000);
}
