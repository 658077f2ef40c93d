import { HUB_TARGETS } from './server.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { LatencySummary } from './histogram.js';

/** The JSON a run writes (bench/results/latest.json) and the table printed from it. */

export interface IdleResult {
  connections: number;
  /** Connections opened in this step (the set-up rate is over these). */
  added: number;
  setupPerSec: number;
  rssMb: number;
  /** (RSS now - RSS of the idle, freshly started server) / connections. */
  perConnKb: number;
}

/** Share of a core (percent) that other processes of the machine used during a measurement. */
export interface Interference {
  othersCpu0Pct: number;
  othersCpu1Pct: number;
}

export interface FanoutResult extends LatencySummary, Interference {
  connections: number;
  events: number;
  deliveries: number;
  cpuUsPerDelivery: number;
  /** Per event, in publishing order: ms until its last connection had it. */
  lastConnectionMs: number[];
  /** The median of `lastConnectionMs`. */
  lastConnectionMedianMs: number;
  /** The largest of `lastConnectionMs`: the worst event. */
  slowestEventMs: number;
  /** The slowest of the unmeasured warm-up events sent just before (cold code at the first size). */
  warmUpSlowestMs: number;
}

export interface TargetedResult extends LatencySummary, Interference {
  clients: number;
  sends: number;
  sendsPerSec: number;
  requestP50Ms: number;
  requestP99Ms: number;
  cpuUsPerSend: number;
  serverBusyPct: number;
  loadBusyPct: number;
}

export interface SustainedStepResult extends LatencySummary, Interference {
  broadcastsPerSec: number;
  achievedPerSec: number;
  deliveriesPerSec: number;
  behind: number;
  cpuUsPerDelivery: number;
  /** Deliveries per socket read on the clients: how many events one write carried, on average. */
  eventsPerSocketRead: number;
  serverBusyPct: number;
  loadBusyPct: number;
  closedByServer: number;
  /** 2 when the step was run again after failing once. */
  attempt: number;
  held: boolean;
}

/**
 * Broadcasts published as fast as the server answers them (64 in flight), whatever the latency
 * (not reported: the open-loop publisher stamps each event with when it was due, so here it
 * would only measure the publisher's backlog).
 */
export interface FlatOutResult {
  broadcastsPerSec: number;
  deliveriesPerSec: number;
  cpuUsPerDelivery: number;
  eventsPerSocketRead: number;
  closedByServer: number;
}

export interface SustainedResult {
  connections: number;
  steps: SustainedStepResult[];
  best?: SustainedStepResult;
  flatOut?: FlatOutResult;
  stopReason: string;
}

/** Heap held per idle connection: the difference of two heap snapshots / connections. */
export interface HeapResult {
  connections: number;
  perConnKb: number;
}

/** Stream set-up rate with tokens signed by one algorithm: first connect, then again with the same tokens. */
export interface AuthResult {
  alg: 'HS256' | 'RS256' | 'ES256';
  connections: number;
  firstPerSec: number;
  againPerSec: number;
  /** µs of CPU per jose verify of one such token, measured in the harness. */
  verifyUs: number;
}

export interface TargetResults {
  label: string;
  baseRssMb?: number;
  idle: IdleResult[];
  heap?: HeapResult;
  fanout: FanoutResult[];
  targeted?: TargetedResult;
  /** The same sends through `POST /notifications/batch`, 100 per request (hub targets only). */
  targetedBatch?: TargetedResult;
  /** The same sends made in the app with `NotificationService.sendToClient` (target consumer only). */
  inProcess?: TargetedResult;
  sustained?: SustainedResult;
}

/** Two hub instances on one shared broker (see Bench.brokerSuite). */
export type BrokerResult = LatencySummary & {
  connections: number;
  events: number;
  cpuUsPerDeliveryB: number;
  othersCpu0Pct: number;
  /** Broadcasts accepted per second on A with 64 requests in flight, every one counted on B. */
  publishesPerSec: number;
  publishP99Ms: number;
};

export interface BenchResults {
  startedAt: string;
  command: string;
  quick: boolean;
  broker: string;
  durationSec?: number;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    kernel: string;
    openFilesLimit: number;
    taskset: boolean;
    loadAverageAtStart: string;
    loadAverageAtEnd?: string;
    jwtVerify: { stringSecretUs: number; keyObjectUs: number };
    commit: string;
    dirty: boolean;
  };
  sizes: unknown;
  targets: Partial<Record<string, TargetResults>>;
  /** Per shared broker: publish on A / receive on B, and the highest sustained publish rate. */
  brokers?: Partial<Record<'redis' | 'postgres', BrokerResult>>;
  /** Stream set-up with tokens of each algorithm, on the hub (see Bench.authSuite). */
  auth?: AuthResult[];
  profiles?: ProfileSummary[];
  notes: string[];
  failures: string[];
}

type Getter = (target: TargetResults) => number | undefined;

interface Row {
  readonly name: string;
  readonly get: Getter;
  readonly format: (value: number) => string;
  /** What a baseline is compared on, when not the same figure (the baselines have no batches). */
  readonly baseline?: Getter;
}

const kb = (v: number): string => `${v.toFixed(1)} KB`;
const ms = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
const perSec = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;
const us = (v: number): string => `${v.toFixed(2)} µs`;
const short = (n: number): string => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

function rows(results: BenchResults): Row[] {
  const all = Object.values(results.targets).filter((t): t is TargetResults => t !== undefined);
  const idleSizes = [...new Set(all.flatMap((t) => t.idle.map((i) => i.connections)))].sort(
    (a, b) => a - b,
  );
  const fanoutSizes = [...new Set(all.flatMap((t) => t.fanout.map((f) => f.connections)))].sort(
    (a, b) => a - b,
  );
  const idle = (n: number) => (t: TargetResults) => t.idle.find((i) => i.connections === n);
  const fanout = (n: number) => (t: TargetResults) => t.fanout.find((f) => f.connections === n);
  const out: Row[] = [];
  for (const n of idleSizes) {
    out.push({
      name: `memory/conn, ${short(n)} idle`,
      get: (t) => idle(n)(t)?.perConnKb,
      format: kb,
    });
  }
  const heapConns = all.find((t) => t.heap)?.heap?.connections;
  if (heapConns !== undefined) {
    out.push({ name: `heap/conn, ${short(heapConns)} idle (snapshots)`, get: (t) => t.heap?.perConnKb, format: kb });
  }
  for (const [i, n] of idleSizes.entries()) {
    out.push({
      name: `setup rate, ${short(idleSizes[i - 1] ?? 0)}->${short(n)} conns`,
      get: (t) => idle(n)(t)?.setupPerSec,
      format: (v) => `${perSec(v)}`,
    });
  }
  for (const n of fanoutSizes) {
    out.push({ name: `fan-out ${short(n)}: p50`, get: (t) => fanout(n)(t)?.p50Ms, format: ms });
    out.push({ name: `fan-out ${short(n)}: p99`, get: (t) => fanout(n)(t)?.p99Ms, format: ms });
    out.push({ name: `fan-out ${short(n)}: max`, get: (t) => fanout(n)(t)?.maxMs, format: ms });
    out.push({
      name: `fan-out ${short(n)}: last conn, median event`,
      get: (t) => fanout(n)(t)?.lastConnectionMedianMs,
      format: ms,
    });
    out.push({
      name: `fan-out ${short(n)}: last conn, slowest event`,
      get: (t) => fanout(n)(t)?.slowestEventMs,
      format: ms,
    });
    out.push({
      name: `fan-out ${short(n)}: warm-up, slowest event`,
      get: (t) => fanout(n)(t)?.warmUpSlowestMs,
      format: ms,
    });
    out.push({
      name: `fan-out ${short(n)}: CPU/delivery`,
      get: (t) => fanout(n)(t)?.cpuUsPerDelivery,
      format: us,
    });
  }
  const sustainedConns = all.find((t) => t.sustained)?.sustained?.connections;
  if (sustainedConns !== undefined) {
    const c = short(sustainedConns);
    out.push({
      name: `sustained ${c}: broadcasts/s held`,
      get: (t) => t.sustained?.best?.broadcastsPerSec,
      format: perSec,
    });
    out.push({
      name: `sustained ${c}: deliveries/s`,
      get: (t) => t.sustained?.best?.deliveriesPerSec,
      format: perSec,
    });
    out.push({
      name: `sustained ${c}: p99 at that rate`,
      get: (t) => t.sustained?.best?.p99Ms,
      format: ms,
    });
    out.push({
      name: `sustained ${c}: CPU/delivery`,
      get: (t) => t.sustained?.best?.cpuUsPerDelivery,
      format: us,
    });
    out.push({
      name: `sustained ${c}: events per socket read`,
      get: (t) => t.sustained?.best?.eventsPerSocketRead,
      format: (value) => value.toFixed(2),
    });
    out.push({
      name: `flat out ${c}: deliveries/s`,
      get: (t) => t.sustained?.flatOut?.deliveriesPerSec,
      format: perSec,
    });
    out.push({
      name: `flat out ${c}: events per socket read`,
      get: (t) => t.sustained?.flatOut?.eventsPerSocketRead,
      format: (value) => value.toFixed(2),
    });
  }
  const targetedClients = all.find((t) => t.targeted)?.targeted?.clients;
  if (targetedClients !== undefined) {
    const c = short(targetedClients);
    out.push({
      name: `targeted over ${c}: sends/s`,
      get: (t) => t.targeted?.sendsPerSec,
      format: perSec,
    });
    out.push({
      name: `targeted over ${c}: sends/s in batches of 100`,
      get: (t) => t.targetedBatch?.sendsPerSec,
      format: perSec,
      baseline: (t) => t.targeted?.sendsPerSec,
    });
    out.push({
      name: `targeted over ${c}: sends/s in-process (sendToClient)`,
      get: (t) => t.inProcess?.sendsPerSec,
      format: perSec,
      baseline: (t) => t.targeted?.sendsPerSec,
    });
    out.push({ name: `targeted over ${c}: p50`, get: (t) => t.targeted?.p50Ms, format: ms });
    out.push({ name: `targeted over ${c}: p99`, get: (t) => t.targeted?.p99Ms, format: ms });
    out.push({
      name: `targeted over ${c}: CPU/send`,
      get: (t) => t.targeted?.cpuUsPerSend,
      format: us,
    });
  }
  out.push({
    name: 'core 0 used by other processes (max)',
    get: (t) =>
      maxOf(
        [...t.fanout, ...(t.targeted ? [t.targeted] : []), ...(t.sustained?.steps ?? [])].map(
          (m) => m.othersCpu0Pct,
        ),
      ),
    format: (v) => `${v.toFixed(0)}%`,
  });
  return out;
}

function maxOf(values: number[]): number | undefined {
  return values.length ? Math.max(...values) : undefined;
}

function ratio(hub: number | undefined, base: number | undefined, name = ''): string {
  if (hub === undefined || base === undefined || base === 0 || name.startsWith('core 0')) return '';
  return `${(hub / base).toFixed(2)}x`;
}

/** A Markdown table (it reads fine in a terminal too): one column per target, ratios of each hub target to each baseline. */
export function formatTable(results: BenchResults): string {
  const keys = Object.keys(results.targets);
  const targets = keys.map((key) => results.targets[key] as TargetResults);
  const { subjects, baselines } = splitTargets(results);
  const header = [
    'metric',
    ...targets.map((t) => t.label),
    ...subjects.flatMap((s) => baselines.map((b) => `${s.label} / ${b.label}`)),
  ];
  const shown = rows(results).filter((row) => targets.some((t) => row.get(t) !== undefined));
  const body = shown.map((row) => [
    row.name,
    ...targets.map((t) => {
      const v = row.get(t);
      return v === undefined ? '-' : row.format(v);
    }),
    ...subjects.flatMap((s) => baselines.map((b) => ratio(row.get(s), (row.baseline ?? row.get)(b), row.name))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const lines = [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  ];
  body.forEach((r) => lines.push(line(r)));
  const brokers = Object.entries(results.brokers ?? {}) as [string, BrokerResult][];
  const redisPerSec = results.brokers?.redis?.publishesPerSec;
  for (const [broker, r] of brokers) {
    lines.push(
      '',
      `${broker}, publish on A / receive on ${r.connections} connections on B: ` +
        `p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs)} over ${r.events} events; ` +
        `highest sustained publish rate ${r.publishesPerSec.toFixed(0)}/s (request p99 ${ms(r.publishP99Ms)})` +
        (redisPerSec && broker !== 'redis' ? `, ${(r.publishesPerSec / redisPerSec).toFixed(2)}x Redis's in this run` : ''),
    );
  }
  const auth = results.auth ?? [];
  const hs = auth.find((a) => a.alg === 'HS256');
  if (auth.length > 0) {
    lines.push('', `Stream set-up by token algorithm (hub, ${auth[0].connections} connections; ratio to HS256 in this run):`);
    for (const a of auth) {
      const vsHs = (value: number, base?: number): string => (base ? ` (${(value / base).toFixed(2)}x)` : '');
      lines.push(
        `  ${a.alg}: first connect ${a.firstPerSec.toFixed(0)}/s${vsHs(a.firstPerSec, hs?.firstPerSec)}, ` +
          `again with the same token ${a.againPerSec.toFixed(0)}/s${vsHs(a.againPerSec, hs?.againPerSec)}; ` +
          `one verify ${a.verifyUs.toFixed(1)} µs of CPU${vsHs(a.verifyUs, hs?.verifyUs)}`,
      );
    }
  }
  const jwtCost = results.machine.jwtVerify;
  lines.push(
    '',
    `jsonwebtoken verify here: ${jwtCost.stringSecretUs.toFixed(0)} µs with a string secret, ` +
      `${jwtCost.keyObjectUs.toFixed(0)} µs with a KeyObject. Load average ${results.machine.loadAverageAtStart} at start` +
      `${results.machine.loadAverageAtEnd ? `, ${results.machine.loadAverageAtEnd} at end` : ''}.`,
  );
  const summaries = summaryLines(results);
  if (summaries.length) lines.push('', ...summaries);
  if (results.notes.length) lines.push('', ...results.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

/** The hub targets (reference app, app on defaults) and the baselines of a run. */
function splitTargets(results: BenchResults): { subjects: TargetResults[]; baselines: TargetResults[] } {
  const entries = Object.entries(results.targets) as [string, TargetResults][];
  const isHub = ([key]: [string, TargetResults]): boolean => (HUB_TARGETS as readonly string[]).includes(key);
  return {
    subjects: entries.filter(isHub).map(([, t]) => t),
    baselines: entries.filter((entry) => !isHub(entry)).map(([, t]) => t),
  };
}

/** One sentence per headline figure, e.g. "memory/conn: hub 18.1 KB = 1.60x node:http, 0.55x nest @Sse". */
function summaryLines(results: BenchResults): string[] {
  const { subjects, baselines } = splitTargets(results);
  const pick = (names: RegExp): Row[] => rows(results).filter((row) => names.test(row.name));
  return subjects.flatMap((hub) =>
    pick(/memory\/conn|heap\/conn|setup rate|fan-out .*p99|deliveries\/s|targeted .*sends/).flatMap((row) => {
      const value = row.get(hub);
      if (value === undefined) return [];
      const parts = baselines
        .map((b) => {
          const r = ratio(value, (row.baseline ?? row.get)(b));
          return r ? `${r} ${b.label}` : '';
        })
        .filter(Boolean);
      return [`${row.name}: ${hub.label} ${row.format(value)}${parts.length ? ` = ${parts.join(', ')}` : ''}`];
    }),
  );
}
