/**
 * The load process that publishes, over the REST API: single broadcasts (latency), open-loop
 * broadcasts at a set rate (throughput steps), and closed-loop targeted sends. Requests go over a
 * few raw keep-alive sockets, one request in flight per socket, so the publisher costs little of
 * the load core. Driven over IPC by bench/run.ts.
 */
import { connect, type Socket } from 'node:net';
import { Histogram, nowUs } from '../lib/histogram.js';
import { serve } from '../lib/ipc.js';
import {
  clientId,
  publishBody,
  type PublishReport,
  type RateArgs,
  type TargetedArgs,
} from '../lib/protocol.js';

const HOST = '127.0.0.1';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One keep-alive HTTP/1.1 connection; answers must carry Content-Length. */
class HttpConnection {
  private readonly socket: Socket;
  private buffer = '';
  private pending?: { resolve: (answer: Answer) => void; reject: (error: Error) => void };
  private ready: Promise<void>;
  closed = false;

  constructor(private readonly port: number) {
    this.socket = connect({ host: HOST, port });
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.parse();
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  async request(method: string, path: string, token: string, body: string): Promise<Answer> {
    await this.ready;
    if (this.closed) throw new Error('connection closed');
    return new Promise<Answer>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${HOST}:${this.port}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private parse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1 || !this.pending) return;
    const head = this.buffer.slice(0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!Number.isFinite(length)) {
      this.fail(new Error(`answer without Content-Length: ${head.slice(0, 80)}`));
      return;
    }
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.slice(end + 4, end + 4 + length);
    this.buffer = this.buffer.slice(end + 4 + length);
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve({ status, body });
  }

  private fail(error: Error): void {
    this.closed = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/** A fixed set of connections; a request waits for a free one. */
class Pool {
  private readonly idle: HttpConnection[] = [];
  private readonly waiters: ((connection: HttpConnection) => void)[] = [];
  private readonly all: HttpConnection[] = [];

  constructor(port: number, size: number) {
    for (let i = 0; i < size; i++) {
      const connection = new HttpConnection(port);
      this.all.push(connection);
      this.idle.push(connection);
    }
  }

  get free(): number {
    return this.idle.length;
  }

  async request(path: string, token: string, body: string): Promise<Answer> {
    const connection =
      this.idle.pop() ??
      (await new Promise<HttpConnection>((resolve) => this.waiters.push(resolve)));
    try {
      return await connection.request('POST', path, token, body);
    } finally {
      const waiter = this.waiters.shift();
      if (connection.closed) {
        // A broken connection is not reused; its waiter gets nothing and the run reports errors.
        if (waiter) this.waiters.unshift(waiter);
      } else if (waiter) waiter(connection);
      else this.idle.push(connection);
    }
  }

  close(): void {
    this.all.forEach((connection) => connection.close());
  }
}

class Tally {
  accepted = 0;
  failed = 0;
  deliveredReported = 0;
  readonly errors: string[] = [];
  readonly requestLatency = new Histogram();

  async send(pool: Pool, path: string, token: string, body: string): Promise<void> {
    const startedAt = nowUs();
    try {
      const answer = await pool.request(path, token, body);
      this.requestLatency.record(nowUs() - startedAt);
      if (answer.status === 202) {
        this.accepted++;
        const delivered = /"delivered":(\d+)/.exec(answer.body);
        if (delivered) this.deliveredReported += Number(delivered[1]);
      } else {
        this.failure(`${path} answered ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    } catch (error) {
      this.failure(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** One batch of `size` sends: each receipt with an id is accepted, each error a failure. */
  async sendBatch(pool: Pool, token: string, body: string, size: number): Promise<void> {
    const startedAt = nowUs();
    try {
      const answer = await pool.request('/notifications/batch', token, body);
      this.requestLatency.record(nowUs() - startedAt);
      if (answer.status !== 200) {
        this.failure(`batch answered ${answer.status} ${answer.body.slice(0, 120)}`);
        return;
      }
      const accepted = answer.body.match(/"id":/g)?.length ?? 0;
      this.accepted += accepted;
      for (const delivered of answer.body.matchAll(/"delivered":(\d+)/g)) this.deliveredReported += Number(delivered[1]);
      if (accepted < size) this.failure(`batch: ${size - accepted} of ${size} refused: ${answer.body.slice(0, 120)}`);
    } catch (error) {
      this.failure(`batch: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  failure(message: string): void {
    this.failed++;
    if (this.errors.length < 5) this.errors.push(message);
  }

  report(sent: number, elapsedMs: number, behind = 0): PublishReport {
    return {
      sent,
      accepted: this.accepted,
      failed: this.failed,
      errors: this.errors,
      elapsedMs,
      behind,
      deliveredReported: this.deliveredReported,
      requestLatency: this.requestLatency.snapshot(),
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open loop: event k is due at start + k / rate and carries that time, so a server that falls
 * behind shows it in the latency (no coordinated omission). At most `maxInFlight` requests wait
 * at once; what is still due when the time is up counts as `behind`.
 */
async function rate(args: RateArgs): Promise<PublishReport> {
  const pool = new Pool(args.port, args.maxInFlight);
  await sleep(50); // let the pool connect
  const tally = new Tally();
  const intervalUs = 1e6 / args.perSecond;
  const total = Math.round((args.perSecond * args.durationMs) / 1000);
  const startedAt = nowUs();
  const endAt = startedAt + args.durationMs * 1000;
  let seq = 0;
  let inFlight = 0;
  const settled: Promise<void>[] = [];
  while (seq < total) {
    const now = nowUs();
    if (now > endAt + 1000) break;
    while (seq < total && startedAt + seq * intervalUs <= now && inFlight < args.maxInFlight) {
      const dueUs = startedAt + seq * intervalUs;
      inFlight++;
      settled.push(
        tally.send(pool, args.path, args.token, publishBody(args.phase, seq, dueUs)).then(() => {
          inFlight--;
        }),
      );
      seq++;
    }
    await sleep(1);
  }
  const behind = total - seq;
  await Promise.all(settled);
  pool.close();
  return tally.report(seq, (nowUs() - startedAt) / 1000, behind);
}

/**
 * Closed loop: `concurrency` senders, each sending the next event as soon as the previous one is
 * answered; send k goes to client k % clients with per-client sequence number k / clients.
 */
async function targeted(args: TargetedArgs): Promise<PublishReport> {
  const pool = new Pool(args.port, args.concurrency);
  await sleep(50);
  const tally = new Tally();
  const startedAt = nowUs();
  const endAt = startedAt + args.durationMs * 1000;
  let next = 0;
  const sender = async (): Promise<void> => {
    while (nowUs() < endAt && tally.failed === 0) {
      if (args.batchSize) {
        const first = next;
        next += args.batchSize;
        await tally.sendBatch(pool, args.token, batchBody(args, first, nowUs()), args.batchSize);
        continue;
      }
      const k = next++;
      const seq = Math.floor(k / args.clients);
      const path = `/notifications/clients/${clientId(k % args.clients)}`;
      await tally.send(pool, path, args.token, publishBody(args.phase, seq, nowUs()));
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, sender));
  pool.close();
  return tally.report(next, (nowUs() - startedAt) / 1000);
}

/** Sends first..first+batchSize-1 of a targeted run as one batch body (same clients and sequence numbers). */
function batchBody(args: TargetedArgs, first: number, sentAtUs: number): string {
  const items: string[] = [];
  for (let k = first; k < first + (args.batchSize ?? 0); k++) {
    const single = publishBody(args.phase, Math.floor(k / args.clients), sentAtUs);
    // {"event":...,"data":...} becomes {"target":{"client":...},"event":...,"data":...}
    items.push(`{"target":{"client":"${clientId(k % args.clients)}"},${single.slice(1)}`);
  }
  return `{"publications":[${items.join(',')}]}`;
}

/** Kept between `one` calls, so a fan-out run does not reconnect for every event. */
let singlePool: { port: number; pool: Pool } | undefined;

/** One broadcast, stamped with its send time; answers once the server has accepted it. */
async function one(args: {
  port: number;
  token: string;
  phase: number;
  path: string;
  seq: number;
}): Promise<PublishReport> {
  if (singlePool?.port !== args.port) {
    singlePool?.pool.close();
    singlePool = { port: args.port, pool: new Pool(args.port, 1) };
  }
  const tally = new Tally();
  const startedAt = nowUs();
  await tally.send(
    singlePool.pool,
    args.path,
    args.token,
    publishBody(args.phase, args.seq, startedAt),
  );
  return tally.report(1, (nowUs() - startedAt) / 1000);
}

function closePools(): void {
  singlePool?.pool.close();
  singlePool = undefined;
}

serve({ rate, targeted, one, closePools });
