// `npm run soak`: connection churn with events in flight, outside `npm test`.
//
// Runs the reference app in this process (built by `npm run build`), opens and drops streams over
// real HTTP from concurrent workers while a publisher keeps broadcasting, then checks that open
// connections, subscriptions, timers and heap return to their idle level.
//   node --expose-gc scripts/soak.mjs [--cycles 100000] [--concurrency 50]
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '50' },
    'max-seconds': { type: 'string', default: '600' },
  },
});
const CYCLES = Number(values.cycles);
const CONCURRENCY = Number(values.concurrency);
const DEADLINE = Date.now() + Number(values['max-seconds']) * 1000;
const SECRET = 'soak-secret';

Object.assign(process.env, {
  JWT_SECRET: SECRET,
  NODE_ENV: 'test',
  SSE_DEMO_FEED: 'off',
  SSE_ACCESS_LOG: 'off',
  SSE_SUBSCRIPTION_GRACE_MS: '500',
  SSE_CONNECT_RATE_PER_MINUTE: '0',
  SSE_PUBLISH_RATE_PER_SECOND: '0',
});
const { createApp } = await import('../dist/src/bootstrap.js');
const { ConnectionService } = await import('../dist/libs/sse/src/application/connection.service.js');
const { SubscriptionRegistry } = await import('../dist/libs/sse/src/domain/index.js');

const app = await createApp({ logger: ['error'] });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
const connections = app.get(ConnectionService);
const registry = app.get(SubscriptionRegistry);

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const heapMb = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
// The in-memory registry keeps one entry per client with topics or connections.
const subscriptionEntries = () => registry.clients?.size ?? NaN;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const figures = () => ({
  open: connections.openConnections,
  registryEntries: subscriptionEntries(),
  timers: timers(),
  heapMb: Number(heapMb().toFixed(1)),
});

// Warm up once so lazy initialisation does not count as growth.
await churn(200);
await sleep(1_000);
const idle = figures();
console.log('idle   ', idle);

const publisher = jwt.sign({ sub: 'soak-publisher', roles: ['publisher'] }, SECRET);
let publishing = true;
let published = 0;
const publishLoop = (async () => {
  while (publishing) {
    const response = await fetch(`${url}/notifications/broadcast`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'tick', data: { n: published } }),
    });
    if (response.status !== 202) throw new Error(`publish answered ${response.status}`);
    published++;
  }
})();

const started = Date.now();
const done = await churn(CYCLES);
publishing = false;
await publishLoop;
const seconds = (Date.now() - started) / 1000;
console.log(`churn   ${done} connect/disconnect cycles in ${seconds.toFixed(1)} s (${Math.round(done / seconds)}/s), ${published} events published meanwhile`);

// Let the subscription grace period (500 ms) pass, then compare with idle.
const after = await settle();
console.log('after  ', after);
await app.close();

const problems = [];
if (done < CYCLES) problems.push(`only ${done}/${CYCLES} cycles before the time limit`);
if (after.open !== idle.open) problems.push(`open connections ${after.open} (idle ${idle.open})`);
if (after.registryEntries !== idle.registryEntries) problems.push(`registry entries ${after.registryEntries} (idle ${idle.registryEntries})`);
if (after.timers > idle.timers + 2) problems.push(`timers ${after.timers} (idle ${idle.timers})`);
if (after.heapMb > idle.heapMb * 1.5 + 10) problems.push(`heap ${after.heapMb} MB (idle ${idle.heapMb} MB)`);
if (problems.length) {
  console.error(`soak FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
console.log('soak passed: connections, subscriptions, timers and heap are back at their idle level');
process.exit(0);

async function settle() {
  let last;
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    last = figures();
    if (last.open === 0 && last.registryEntries === 0) break;
  }
  return last;
}

/** Opens and drops `total` streams from CONCURRENCY workers; each subscribes a topic on connect. */
async function churn(total) {
  let next = 0;
  let completed = 0;
  const worker = async () => {
    while (next < total && Date.now() < DEADLINE) {
      const n = next++;
      const token = jwt.sign({ sub: `soak-${n % 1000}` }, SECRET);
      const controller = new AbortController();
      const response = await fetch(`${url}/sse?topic=soak/${n % 7}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      if (response.status !== 200) throw new Error(`stream answered ${response.status}`);
      const reader = response.body.getReader();
      // Read until the greeting arrived, then drop the connection mid-stream.
      let text = '';
      while (!text.includes('event: connected')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      await reader.cancel().catch(() => undefined);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return completed;
}
