/**
 * A load process holding many SSE connections on raw sockets (HTTP/1.1, bearer token, de-chunked),
 * counting every benchmark event exactly per connection and recording its delivery latency.
 * Started and driven over IPC by bench/run.ts; exits when the orchestrator goes away.
 */
import { connect, type Socket } from 'node:net';
import { Histogram, nowUs } from '../lib/histogram.js';
import { serve } from '../lib/ipc.js';
import {
  EVENT_TYPE,
  clientToken,
  targetedShare,
  type EndPhaseArgs,
  type Expectation,
  type OpenArgs,
  type OpenResult,
  type PhaseReport,
} from '../lib/protocol.js';
import { SseResponseParser, type SseHandlers } from '../lib/sse-parser.js';

const HOST = '127.0.0.1';
/** How far out of order (in sequence numbers) events may arrive: concurrent publishes race. */
const WINDOW = 1024;

let phase = 0;
/** When the socket data being parsed arrived: one clock read per read(), not per event. */
let arrivedAtUs = 0;
const latency = new Histogram();
/** Per sequence number: the latest arrival (µs after publishing) over this reader's connections. */
let lastArrivalUs: number[] = [];
let stray = 0;
/** Socket reads (data chunks) on every connection this phase: deliveries per read shows batching. */
let socketReads = 0;
const examples: string[] = [];
const connections = new Map<number, Connection>();

function note(example: string): void {
  if (examples.length < 5) examples.push(example);
}

/** Data strings repeat across connections (one broadcast reaches all): parse each once. */
let lastData = '';
let lastParsed: { p: number; s: number; t: number } | undefined;

function parseData(data: string): { p: number; s: number; t: number } | undefined {
  if (data === lastData) return lastParsed;
  lastData = data;
  try {
    const value = JSON.parse(data) as { p?: unknown; s?: unknown; t?: unknown };
    lastParsed =
      typeof value.p === 'number' && typeof value.s === 'number' && typeof value.t === 'number'
        ? { p: value.p, s: value.s, t: value.t }
        : undefined;
  } catch {
    lastParsed = undefined;
  }
  return lastParsed;
}

class Connection implements SseHandlers {
  readonly socket: Socket;
  readonly parser = new SseResponseParser(this);
  connected = false;
  closing = false;
  closedByServer = false;
  /** Every sequence number below `base` has arrived exactly once in this phase. */
  base = 0;
  /** Arrived sequence numbers at or past `base`, in a ring of WINDOW flags. */
  private ring?: Uint8Array;
  private ahead = 0;
  received = 0;
  duplicates = 0;
  /** Set-up has been reported (connected, or failed). */
  settled = false;

  constructor(
    readonly index: number,
    token: string,
    port: number,
    private readonly onReady: (connection: Connection, error?: string) => void,
  ) {
    this.socket = connect({ host: HOST, port }, () => {
      this.socket.write(
        `GET /sse HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          'Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n',
      );
    });
    this.socket.on('data', (chunk: Buffer) => {
      arrivedAtUs = nowUs();
      socketReads++;
      this.parser.push(chunk);
    });
    this.socket.on('error', (error) => {
      if (!this.connected) this.onReady(this, `socket error ${error.message}`);
    });
    this.socket.on('close', () => {
      this.parser.close();
      if (!this.connected) {
        this.onReady(this, 'closed before the connected event');
      } else if (!this.closing) {
        this.closedByServer = true;
      }
    });
  }

  onHeaders(status: number, headers: Map<string, string>): void {
    const type = headers.get('content-type') ?? '';
    if (status !== 200 || !type.startsWith('text/event-stream')) {
      this.onReady(this, `answered ${status} ${type}`);
      this.closing = true;
      this.socket.destroy();
    }
  }

  onEvent(type: string, data: string): void {
    if (type === EVENT_TYPE) {
      const value = parseData(data);
      if (!value || value.p !== phase) {
        stray++;
        note(`conn ${this.index}: stray event ${data.slice(0, 60)} in phase ${phase}`);
        return;
      }
      const tookUs = arrivedAtUs - value.t;
      latency.record(tookUs);
      if (!(lastArrivalUs[value.s] >= tookUs)) lastArrivalUs[value.s] = tookUs;
      this.take(value.s);
    } else if (type === 'connected' && !this.connected) {
      this.connected = true;
      this.onReady(this);
    }
  }

  onComment(): void {
    // heartbeats: nothing to count
  }

  onEnd(error?: string): void {
    if (error) note(`conn ${this.index}: ${error}`);
  }

  resetPhase(): void {
    this.base = 0;
    this.ahead = 0;
    this.ring?.fill(0);
    this.received = 0;
    this.duplicates = 0;
  }

  /** Counts sequence number `seq`: each must arrive once; order may vary within WINDOW. */
  private take(seq: number): void {
    this.received++;
    if (seq === this.base && this.ahead === 0) {
      this.base++;
      return;
    }
    if (seq < this.base) {
      this.duplicate(seq);
      return;
    }
    if (seq - this.base >= WINDOW) {
      note(`conn ${this.index}: seq ${seq} arrived while ${this.base} is still missing`);
      this.duplicates++; // counted as a failure; the run's report says why
      return;
    }
    const ring = (this.ring ??= new Uint8Array(WINDOW));
    const slot = seq % WINDOW;
    if (ring[slot]) {
      this.duplicate(seq);
      return;
    }
    ring[slot] = 1;
    this.ahead++;
    while (ring[this.base % WINDOW]) {
      ring[this.base % WINDOW] = 0;
      this.base++;
      this.ahead--;
    }
  }

  private duplicate(seq: number): void {
    this.duplicates++;
    note(`conn ${this.index}: duplicate seq ${seq} in phase ${phase}`);
  }

  /** Distinct sequence numbers received (those below base plus those held ahead). */
  get distinct(): number {
    return this.base + this.ahead;
  }

  isComplete(expected: number): boolean {
    return this.base >= expected && this.ahead === 0;
  }
}

function open(args: OpenArgs): Promise<OpenResult> {
  const tokens: string[] = [];
  for (let i = 0; i < args.count; i++) tokens.push(clientToken(args.secret, args.startIndex + i, args.signing));
  const startedAt = Date.now();
  let next = 0;
  let inFlight = 0;
  let opened = 0;
  let failed = 0;
  const errors: string[] = [];
  return new Promise<OpenResult>((resolve) => {
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ opened, failed, errors, elapsedMs: Date.now() - startedAt });
    };
    const timer = setTimeout(() => {
      errors.push(
        `${args.count - opened - failed} connections not set up within ${args.timeoutMs} ms`,
      );
      failed += args.count - opened - failed;
      done();
    }, args.timeoutMs);
    const ready = (connection: Connection, error?: string): void => {
      if (finished || connection.settled) return;
      connection.settled = true;
      inFlight--;
      if (error) {
        failed++;
        if (errors.length < 5) errors.push(`conn ${connection.index}: ${error}`);
        connections.delete(connection.index);
      } else {
        opened++;
      }
      if (opened + failed === args.count) done();
      else launch();
    };
    const launch = (): void => {
      while (inFlight < args.concurrency && next < args.count) {
        const index = args.startIndex + next;
        const token = tokens[next++];
        inFlight++;
        connections.set(index, new Connection(index, token, args.port, ready));
      }
    };
    launch();
  });
}

function beginPhase({ phase: next }: { phase: number }): void {
  phase = next;
  latency.reset();
  lastArrivalUs = [];
  stray = 0;
  socketReads = 0;
  examples.length = 0;
  for (const connection of connections.values()) {
    connection.resetPhase();
    connection.closedByServer = false;
  }
}

function expectedFor(expect: Expectation, index: number): number {
  return expect.kind === 'broadcast'
    ? expect.count
    : targetedShare(expect.total, expect.clients, index);
}

async function endPhase(args: EndPhaseArgs): Promise<PhaseReport> {
  if (args.phase !== phase)
    throw new Error(`phase ${args.phase} is not the current phase ${phase}`);
  const deadline = Date.now() + args.waitMs;
  const allDone = (): boolean => {
    for (const connection of connections.values()) {
      if (
        !connection.closedByServer &&
        !connection.isComplete(expectedFor(args.expect, connection.index))
      ) {
        return false;
      }
    }
    return true;
  };
  while (!allDone() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // A short grace for duplicates that would come after the last expected event.
  await new Promise((resolve) => setTimeout(resolve, 50));
  let received = 0;
  let expected = 0;
  let missing = 0;
  let duplicates = 0;
  let closedByServer = 0;
  let lostToClosed = 0;
  let incomplete = 0;
  for (const connection of connections.values()) {
    const want = expectedFor(args.expect, connection.index);
    received += connection.received;
    duplicates += connection.duplicates;
    if (connection.closedByServer) {
      closedByServer++;
      lostToClosed += Math.max(0, want - connection.distinct);
      continue;
    }
    expected += want;
    const lacking = Math.max(0, want - connection.distinct);
    if (lacking > 0 || connection.distinct > want) {
      incomplete++;
      missing += lacking;
      if (connection.distinct > want) {
        duplicates += connection.distinct - want;
        note(`conn ${connection.index}: ${connection.distinct} distinct events, ${want} sent`);
      } else {
        note(
          `conn ${connection.index}: got ${connection.distinct} of ${want} (first missing seq ${connection.base})`,
        );
      }
    }
  }
  // Connections the server closed are gone from now on.
  for (const [index, connection] of connections) {
    if (connection.closedByServer) connections.delete(index);
  }
  return {
    connections: connections.size + closedByServer,
    received,
    expected,
    missing,
    duplicates,
    stray,
    socketReads,
    closedByServer,
    lostToClosed,
    incomplete,
    latency: latency.snapshot(),
    lastArrivalUs: Array.from(lastArrivalUs, (us) => us ?? 0),
    examples: [...examples],
  };
}

/** Resolves once every open connection has every event up to `seq` of the phase (or on timeout). */
async function reached(args: {
  phase: number;
  seq: number;
  timeoutMs: number;
}): Promise<{ lagging: number }> {
  const deadline = Date.now() + args.timeoutMs;
  for (;;) {
    let lagging = 0;
    if (args.phase === phase) {
      for (const connection of connections.values()) {
        if (!connection.closedByServer && connection.base <= args.seq) lagging++;
      }
    }
    if (lagging === 0 || Date.now() >= deadline) return { lagging };
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function status(): { open: number; closedByServer: number } {
  let closedByServer = 0;
  for (const connection of connections.values()) if (connection.closedByServer) closedByServer++;
  return { open: connections.size - closedByServer, closedByServer };
}

async function closeAll(): Promise<{ closed: number }> {
  const closed = connections.size;
  for (const connection of connections.values()) {
    connection.closing = true;
    connection.socket.destroy();
  }
  connections.clear();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { closed };
}

serve({ open, beginPhase, endPhase, reached, status, closeAll });
