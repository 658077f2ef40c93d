import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * What the harness and its load processes agree on: the secret, the event type, the shape of a
 * published event's data, and the client ids of load connections.
 */
export const BENCH_SECRET = 'sse-hub-bench-secret-not-for-production';
export const EVENT_TYPE = 'bench';
export const PUBLISHER_ID = 'bench-publisher';

/** Makes an event's data ~120 bytes of JSON, a typical small notification. */
const PADDING = 'x'.repeat(64);

/**
 * The data of a benchmark event: phase, sequence number (per phase; per client for targeted
 * sends) and the intended send time in monotonic microseconds (see nowUs()).
 */
export interface BenchData {
  readonly p: number;
  readonly s: number;
  readonly t: number;
  readonly x: string;
}

export function publishBody(phase: number, seq: number, sentAtUs: number): string {
  return `{"event":"${EVENT_TYPE}","data":{"p":${phase},"s":${seq},"t":${Math.round(sentAtUs)},"x":"${PADDING}"}}`;
}

export const clientId = (index: number): string => `bench-c${index}`;

/**
 * Load processes sign with a KeyObject: given a string, jsonwebtoken first tries to parse it as a
 * PEM key, which costs hundreds of microseconds per call (see docs/benchmarks.md).
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

/** An identity provider's signing key, for the token-verification scenario (RS256, ES256). */
export interface BenchSigningKey {
  readonly alg: 'RS256' | 'ES256';
  readonly privateKeyPem: string;
}

const privateKeys = new Map<string, KeyObject>();
/**
 * The same token for the same client and key every time (until it expires), as an EventSource
 * reconnects with the token it has: ES256 signatures are randomised, so signing again would give
 * a new string each time.
 */
const tokens = new Map<string, string>();

export function clientToken(secret: string, index: number, signing?: BenchSigningKey): string {
  const cacheKey = `${signing?.alg ?? 'HS256'}:${index}`;
  const cached = tokens.get(cacheKey);
  if (cached) return cached;
  let token: string;
  if (signing) {
    let key = privateKeys.get(signing.privateKeyPem);
    if (!key) privateKeys.set(signing.privateKeyPem, (key = createPrivateKey(signing.privateKeyPem)));
    token = jwt.sign({ sub: clientId(index) }, key, { algorithm: signing.alg, expiresIn: '2h' });
  } else {
    token = jwt.sign({ sub: clientId(index) }, keyOf(secret), { algorithm: 'HS256', expiresIn: '2h' });
  }
  tokens.set(cacheKey, token);
  return token;
}

export function publisherToken(secret: string): string {
  return jwt.sign({ sub: PUBLISHER_ID, roles: ['publisher'] }, keyOf(secret), {
    algorithm: 'HS256',
    expiresIn: '2h',
  });
}

/** How many of `total` round-robin targeted sends (send k to client k % clients) go to `index`. */
export function targetedShare(total: number, clients: number, index: number): number {
  return Math.floor(total / clients) + (index < total % clients ? 1 : 0);
}

// ---- commands of the load processes ----

export interface OpenArgs {
  readonly port: number;
  readonly secret: string;
  /** Sign with this key instead of the secret (the hub then verifies with its public key). */
  readonly signing?: BenchSigningKey;
  readonly startIndex: number;
  readonly count: number;
  /** Connections being set up at once by this process. */
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface OpenResult {
  readonly opened: number;
  readonly failed: number;
  readonly errors: string[];
  readonly elapsedMs: number;
}

export type Expectation =
  | { readonly kind: 'broadcast'; readonly count: number }
  | { readonly kind: 'targeted'; readonly total: number; readonly clients: number };

export interface EndPhaseArgs {
  readonly phase: number;
  readonly expect: Expectation;
  readonly waitMs: number;
}

export interface PhaseReport {
  readonly connections: number;
  readonly received: number;
  readonly expected: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Events of another phase, or with unreadable data. */
  readonly stray: number;
  /** Socket reads on the connections during the phase (a read can carry several events). */
  readonly socketReads: number;
  /** Connections the server closed during the phase (a hub drops clients that fall behind). */
  readonly closedByServer: number;
  /** Events expected by connections that the server closed. */
  readonly lostToClosed: number;
  readonly incomplete: number;
  readonly latency: import('./histogram.js').HistogramSnapshot;
  /**
   * Per sequence number of the phase: when its last connection (of this reader) had it, in µs
   * after it was published. A fan-out's tail is decided by one or two slow events; this shows
   * which, instead of averaging them into a percentile.
   */
  readonly lastArrivalUs: number[];
  readonly examples: string[];
}

export interface RateArgs {
  readonly port: number;
  readonly token: string;
  readonly phase: number;
  readonly path: string;
  readonly perSecond: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
}

export interface TargetedArgs {
  readonly port: number;
  readonly token: string;
  readonly phase: number;
  readonly clients: number;
  readonly durationMs: number;
  readonly concurrency: number;
  /** Sends per request through `POST /notifications/batch`; absent: one `POST /notifications/clients/:id` each. */
  readonly batchSize?: number;
}

export interface PublishReport {
  /** Events sent (sequence numbers 0..sent-1 of the phase). */
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly errors: string[];
  readonly elapsedMs: number;
  /** For open-loop runs: sends still due when the time was up (the server fell behind). */
  readonly behind: number;
  /** Sum of the `delivered` counts the server answered. */
  readonly deliveredReported: number;
  readonly requestLatency: import('./histogram.js').HistogramSnapshot;
}
