/**
 * `npm run bench`: measures the hub against two baselines (plain node:http, NestJS @Sse with a
 * shared Subject) in the same run, with the same load processes. See docs/benchmarks.md.
 *
 *   --quick              smaller sizes, shorter steps (npm run bench:quick)
 *   --broker redis       the hub on Redis (SSE_BROKER=redis) plus publish-on-A/receive-on-B latency
 *                        and the highest sustained publish rate through the broker
 *   --broker postgres    the same on PostgreSQL (SSE_BROKER=postgres), with the Redis figures
 *                        measured in the same run next to it
 *   --targets a,b        hub,hub-traced,consumer,hub-memory,node-http,nest-sse (default: all but
 *                        hub-memory, which a run on a shared broker adds for its sustained scenario;
 *                        hub-traced = the hub
 *                        with an OpenTelemetry SDK registered; consumer = an app on the module's defaults)
 *   --only a,b           idle,heap,fanout,targeted,sustained,redis (default: all that apply)
 *   --cpu-prof           run the hub under node --cpu-prof and summarise where its time goes
 *
 * Servers run pinned to CPU 0, everything else (this process, readers, publisher) to CPU 1.
 * Everything talks to 127.0.0.1 only, every wait is bounded, and every process started here is
 * stopped here, by its pid.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import {
  formatProfile,
  summarizeProfile,
  type ProfileSummary,
  type TimeWindow,
} from './lib/cpu-profile.js';
import { HeapSnapshots } from './lib/heap-snapshot.js';
import { Histogram, nowUs, type LatencySummary } from './lib/histogram.js';
import { WorkerClient } from './lib/ipc.js';
import {
  cpuBusyUs,
  freePort,
  hasTaskset,
  loadAverage,
  openFilesLimit,
  pinProcess,
  sleep,
  spawnNode,
  totalCpuUs,
} from './lib/proc.js';
import {
  BENCH_SECRET,
  publisherToken,
  type BenchSigningKey,
  type EndPhaseArgs,
  type Expectation,
  type OpenResult,
  type PhaseReport,
  type PublishReport,
} from './lib/protocol.js';
import { HUB_TARGETS, ServerProcess, TARGETS, type TargetKey, type TargetSpec } from './lib/server.js';
import { selfTestParser } from './lib/sse-parser.js';
import {
  formatTable,
  type AuthResult,
  type BenchResults,
  type FanoutResult,
  type FlatOutResult,
  type SustainedStepResult,
  type TargetResults,
  type TargetedResult,
} from './lib/report.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RESULTS_DIR = resolve(ROOT, 'bench/results');
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const READERS = 2;
/** File descriptors a server needs besides its SSE connections (listener, stdio, epoll, Redis...). */
const SERVER_SPARE_FDS = 100;
const REDIS_URL = 'redis://127.0.0.1:6379';
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

type SharedBroker = 'redis' | 'postgres';

type Scenario = 'idle' | 'heap' | 'fanout' | 'targeted' | 'sustained' | 'redis' | 'auth';
const ALL_SCENARIOS: Scenario[] = ['idle', 'heap', 'fanout', 'targeted', 'sustained', 'redis', 'auth'];

interface Options {
  readonly quick: boolean;
  readonly broker: 'memory' | SharedBroker;
  readonly targets: TargetKey[];
  /** hub-memory was added for the broker comparison: it runs the sustained scenario only. */
  readonly memoryComparisonOnly: boolean;
  readonly only: Set<Scenario>;
  readonly cpuProf: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : argv[index + 1];
  };
  const list = <T extends string>(flag: string, allowed: readonly T[], fallback: T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const items = raw.split(',').map((item) => item.trim()) as T[];
    const bad = items.filter((item) => !allowed.includes(item));
    if (bad.length)
      throw new Error(`${flag}: unknown ${bad.join(', ')} (allowed: ${allowed.join(', ')})`);
    return items;
  };
  const broker = value('--broker') ?? 'memory';
  if (broker !== 'memory' && broker !== 'redis' && broker !== 'postgres')
    throw new Error('--broker is memory, redis or postgres');
  const keys = Object.keys(TARGETS) as TargetKey[];
  const targets = list('--targets', keys, keys.filter((key) => key !== 'hub-memory'));
  // On a shared broker the hub is also compared with itself on the in-memory broker, in the
  // same run (its sustained delivery only, unless hub-memory is asked for by name).
  const only = new Set(list('--only', ALL_SCENARIOS, ALL_SCENARIOS));
  const comparedWithMemory =
    broker !== 'memory' && only.has('sustained') && targets.includes('hub') && !targets.includes('hub-memory');
  return {
    quick: argv.includes('--quick'),
    broker,
    targets: comparedWithMemory ? [...targets, 'hub-memory'] : targets,
    memoryComparisonOnly: comparedWithMemory,
    only,
    cpuProf: argv.includes('--cpu-prof'),
  };
}

interface Sizes {
  readonly idle: number[];
  /** Connections opened between the two heap snapshots of the heap scenario. */
  readonly heapConnections: number;
  readonly fanout: Record<number, { count: number }>;
  readonly targetedAt: number;
  readonly targetedMs: number;
  readonly targetedConcurrency: number;
  readonly sustained: {
    connections: number;
    startRate: number;
    factor: number;
    stepMs: number;
    maxSteps: number;
    /** Rates tried between the last held and the first not held (see `sustainedSuite`). */
    refineSteps: number;
    p99LimitMs: number;
  };
  readonly settleMs: number;
  readonly redis: { connections: number; count: number; rateConnections: number; rateMs: number };
  /** Connections opened per token algorithm in the auth scenario. */
  readonly authConnections: number;
}

const FULL: Sizes = {
  idle: [1000, 10_000, 20_000],
  heapConnections: 2000,
  fanout: { 1000: { count: 50 }, 10_000: { count: 20 } },
  targetedAt: 10_000,
  targetedMs: 8000,
  targetedConcurrency: 32,
  sustained: {
    connections: 1000,
    startRate: 10,
    factor: 1.3,
    stepMs: 4000,
    maxSteps: 24,
    refineSteps: 2,
    p99LimitMs: 100,
  },
  settleMs: 2000,
  redis: { connections: 1000, count: 100, rateConnections: 10, rateMs: 5000 },
  authConnections: 4000,
};

const QUICK: Sizes = {
  idle: [1000, 2000],
  heapConnections: 500,
  fanout: { 1000: { count: 20 }, 2000: { count: 10 } },
  targetedAt: 2000,
  targetedMs: 2000,
  targetedConcurrency: 32,
  sustained: {
    connections: 1000,
    startRate: 10,
    factor: 2,
    stepMs: 1500,
    maxSteps: 5,
    refineSteps: 1,
    p99LimitMs: 100,
  },
  settleMs: 500,
  redis: { connections: 1000, count: 30, rateConnections: 10, rateMs: 2000 },
  authConnections: 1000,
};

/** A publish rate no server here keeps up with: the publisher then sends as fast as it is answered. */
const FLAT_OUT_RATE = 100_000;

/** Broadcasts sent before each fan-out size is measured (see `deliverySuite`). */
const FANOUT_WARM_UP_EVENTS = 5;

/** Sends per `POST /notifications/batch` in the batched targeted scenario (issue 15's target). */
const TARGETED_BATCH_SIZE = 100;

/** A counting failure: events lost or duplicated. It fails the run. */
class CountingError extends Error {}

class Bench {
  private phase = 0;
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  readonly profiles: ProfileSummary[] = [];
  private readonly pubToken = publisherToken(BENCH_SECRET);
  /** The measured phases (monotonic µs) since the last server start: a profile is cut to them. */
  private phaseWindows: TimeWindow[] = [];
  /** Extra environment of every hub started (the broker). */
  hubEnv: Record<string, string> = {};

  constructor(
    readonly options: Options,
    readonly sizes: Sizes,
    readonly readers: WorkerClient[],
    readonly publisher: WorkerClient,
  ) {}

  get loadPids(): number[] {
    return [...this.readers, this.publisher].map((worker) => worker.pid);
  }

  async startServer(
    spec: TargetSpec,
    extraEnv: Record<string, string> = {},
    name?: string,
    nodeArgs: string[] = [],
  ): Promise<ServerProcess> {
    const profiling = this.options.cpuProf && spec.key === 'hub';
    const profileDir = resolve(RESULTS_DIR, 'profiles');
    if (profiling) mkdirSync(profileDir, { recursive: true });
    this.phaseWindows = [];
    return ServerProcess.start(spec, {
      port: await freePort(),
      cpu: SERVER_CPU,
      name,
      // The broker asked for applies to the reference app (hub, hub-traced); hub-memory stays on
      // the in-memory broker and the app on defaults keeps its defaults.
      extraEnv: spec.key === 'hub' || spec.key === 'hub-traced' ? { ...this.hubEnv, ...extraEnv } : extraEnv,
      nodeArgs: [...nodeArgs, ...(profiling ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    });
  }

  async stopServer(server: ServerProcess, spec: TargetSpec): Promise<void> {
    const startedAt = Date.now();
    await server.stop();
    if (this.options.cpuProf && spec.key === 'hub') {
      const dir = resolve(RESULTS_DIR, 'profiles');
      const newest = readdirSync(dir)
        .filter((file) => file.endsWith('.cpuprofile'))
        .map((file) => resolve(dir, file))
        .filter((file) => statSync(file).mtimeMs >= startedAt - 1000)
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
      if (newest) {
        const summary = summarizeProfile(newest, {
          windows: this.phaseWindows.length ? this.phaseWindows : undefined,
          scope: `${server.name}, measured phases only (${this.phaseWindows.length}: the set-up of the idle scenario's steps, the publishing phases; no start-up)`,
        });
        this.profiles.push(summary);
        console.log(`\n${formatProfile(summary)}\n`);
      } else {
        this.notes.push(`no CPU profile was written by ${server.name}`);
      }
    }
  }

  /** Opens connections with client indices [from, to), split over the readers; returns conn/s. */
  async open(
    port: number,
    from: number,
    to: number,
    signing?: BenchSigningKey,
  ): Promise<{ perSecond: number; elapsedMs: number }> {
    const count = to - from;
    const share = Math.ceil(count / this.readers.length);
    const calls = this.readers.map((reader, i) => {
      const start = from + i * share;
      const n = Math.max(0, Math.min(share, to - start));
      return n === 0
        ? Promise.resolve<OpenResult>({ opened: 0, failed: 0, errors: [], elapsedMs: 0 })
        : reader.call<OpenResult>(
            'open',
            {
              port,
              secret: BENCH_SECRET,
              signing,
              startIndex: start,
              count: n,
              concurrency: 64,
              timeoutMs: 120_000,
            },
            150_000,
          );
    });
    const results = await Promise.all(calls);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) {
      throw new Error(
        `${failed} of ${count} connections failed to open: ${results.flatMap((r) => r.errors).join('; ')}`,
      );
    }
    const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
    return { perSecond: (count / elapsedMs) * 1000, elapsedMs };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.call('closeAll', {}, 30_000)));
  }

  /**
   * One measured phase: readers reset their counts, the publisher runs, the readers wait for
   * every expected event (bounded) and report. CPU of the server and of the load processes is
   * sampled around the publishing and around the whole phase.
   */
  async measure(
    server: ServerProcess,
    publish: (phase: number) => Promise<PublishReport>,
    expect: (report: PublishReport) => Expectation,
    waitMs: number,
    opts: { allowServerDrops?: boolean } = {},
  ): Promise<Measured> {
    const phase = ++this.phase;
    await Promise.all(this.readers.map((reader) => reader.call('beginPhase', { phase }, 10_000)));
    const serverCpu0 = server.cpuUs();
    const loadCpu0 = totalCpuUs(this.loadPids) + ownCpuUs();
    const core0 = cpuBusyUs(SERVER_CPU);
    const core1 = cpuBusyUs(LOAD_CPU);
    const t0 = Date.now();
    const window = { fromUs: nowUs(), toUs: 0 };
    const published = await publish(phase);
    const serverCpu1 = server.cpuUs();
    const loadCpu1 = totalCpuUs(this.loadPids) + ownCpuUs();
    const core0End = cpuBusyUs(SERVER_CPU);
    const core1End = cpuBusyUs(LOAD_CPU);
    const t1 = Date.now();
    const percentOfWindow = (us: number): number => (us / 1000 / Math.max(1, t1 - t0)) * 100;
    const args: EndPhaseArgs = { phase, expect: expect(published), waitMs };
    const reports = await Promise.all(
      this.readers.map((reader) => reader.call<PhaseReport>('endPhase', args, waitMs + 30_000)),
    );
    const serverCpu2 = server.cpuUs();
    const t2 = Date.now();
    this.phaseWindows.push({ ...window, toUs: nowUs() });
    const merged = mergeReports(reports);
    const problems: string[] = [];
    if (published.failed > 0)
      problems.push(`${published.failed} publishes failed (${published.errors.join('; ')})`);
    if (merged.missing > 0)
      problems.push(`${merged.missing} events missing on ${merged.incomplete} open connections`);
    if (merged.duplicates > 0)
      problems.push(`${merged.duplicates} events duplicated or out of window`);
    if (merged.stray > 0)
      problems.push(`${merged.stray} stray events (another phase, or unreadable data)`);
    if (merged.closedByServer > 0 && !opts.allowServerDrops) {
      problems.push(`${merged.closedByServer} connections closed by the server`);
    }
    if (problems.length > 0) {
      throw new CountingError(
        `${server.name}: ${problems.join('; ')}. Examples: ${merged.examples.join(' | ')}`,
      );
    }
    return {
      published,
      report: merged,
      latency: Histogram.from([merged.latency]).summary(),
      publishMs: t1 - t0,
      totalMs: t2 - t0,
      serverCpuUs: serverCpu2 - serverCpu0,
      serverBusyPct: percentOfWindow(serverCpu1 - serverCpu0),
      loadBusyPct: percentOfWindow(loadCpu1 - loadCpu0),
      // What other processes of the machine took of each core meanwhile (the machine is shared).
      othersCpu0Pct: Math.max(0, percentOfWindow(core0End - core0 - (serverCpu1 - serverCpu0))),
      othersCpu1Pct: Math.max(0, percentOfWindow(core1End - core1 - (loadCpu1 - loadCpu0))),
    };
  }

  /**
   * Fan-out latency without queueing: one broadcast at a time, the next only once every
   * connection has the previous one (and a short pause), so each event meets an idle server.
   */
  fanout(server: ServerProcess, count: number, publishTo = server): Promise<Measured> {
    // As the issue's raw-socket harness: events 200 ms apart, so the server's timers and GC run
    // between them and a fan-out can meet them (a tail that back-to-back events would hide).
    const pauseMs = 200;
    return this.measure(
      server,
      async (phase) => {
        const total = {
          sent: 0,
          accepted: 0,
          failed: 0,
          errors: [] as string[],
          deliveredReported: 0,
        };
        const requestLatency = new Histogram();
        const startedAt = Date.now();
        for (let seq = 0; seq < count; seq++) {
          const one = await this.publisher.call<PublishReport>(
            'one',
            {
              port: publishTo.port,
              token: this.pubToken,
              phase,
              path: '/notifications/broadcast',
              seq,
            },
            30_000,
          );
          total.sent++;
          total.accepted += one.accepted;
          total.failed += one.failed;
          total.errors.push(...one.errors);
          total.deliveredReported += one.deliveredReported;
          requestLatency.merge(one.requestLatency);
          if (one.failed > 0) break;
          const waits = await Promise.all(
            this.readers.map((reader) =>
              reader.call<{ lagging: number }>(
                'reached',
                { phase, seq, timeoutMs: 10_000 },
                20_000,
              ),
            ),
          );
          if (waits.some((w) => w.lagging > 0)) break; // endPhase reports what is missing
          await sleep(pauseMs);
        }
        await this.publisher.call('closePools', {}, 5000);
        return {
          ...total,
          errors: total.errors.slice(0, 5),
          behind: 0,
          elapsedMs: Date.now() - startedAt,
          requestLatency: requestLatency.snapshot(),
        };
      },
      (published) => ({ kind: 'broadcast', count: published.sent }),
      10_000,
    );
  }

  // ---- scenarios ----

  /** The sizes of the idle scenario that this machine's open-files limit allows. */
  idleSizes(): number[] {
    const limit = openFilesLimit();
    const sizes: number[] = [];
    for (const wanted of this.sizes.idle) {
      const size = Math.min(wanted, Math.floor((limit - SERVER_SPARE_FDS) / 1000) * 1000);
      if (size < wanted) {
        this.note(
          `${wanted} connections need more than ulimit -n ${limit}: measured ${size} instead`,
        );
      }
      if (size > (sizes[sizes.length - 1] ?? 0)) sizes.push(size);
    }
    return sizes;
  }

  /**
   * Idle connections at growing sizes on a server that publishes nothing: memory per connection
   * (RSS over the freshly started server's) and connection set-up rate.
   */
  async idleSuite(spec: TargetSpec, results: TargetResults): Promise<void> {
    if (!this.options.only.has('idle')) return;
    const server = await this.startServer(spec);
    try {
      await sleep(1000);
      const baseRssKb = server.rssKb();
      results.baseRssMb = baseRssKb / 1024;
      let opened = 0;
      for (const size of this.idleSizes()) {
        console.log(`  ${spec.label}: opening ${opened} -> ${size} idle connections`);
        const fromUs = nowUs();
        const setup = await this.open(server.port, opened, size);
        this.phaseWindows.push({ fromUs, toUs: nowUs() });
        const added = size - opened;
        opened = size;
        await sleep(this.sizes.settleMs);
        const rssKbNow = server.rssKb();
        results.idle.push({
          connections: size,
          added,
          setupPerSec: setup.perSecond,
          rssMb: rssKbNow / 1024,
          perConnKb: (rssKbNow - baseRssKb) / size,
        });
      }
    } finally {
      await this.closeAll();
      await this.stopServer(server, spec);
    }
  }

  /**
   * Heap held per idle connection, from two heap snapshots of a fresh server (after a warm-up
   * of connections opened and closed, so compiled code and pools are in both): before and after
   * opening `heapConnections`. Unlike RSS this counts live objects only.
   */
  async heapSuite(spec: TargetSpec, results: TargetResults): Promise<void> {
    if (!this.options.only.has('heap')) return;
    const snapshots = new HeapSnapshots();
    const count = this.sizes.heapConnections;
    const server = await this.startServer(spec, {}, undefined, snapshots.nodeArgs);
    try {
      await this.open(server.port, 0, 200);
      await this.closeAll();
      await sleep(1000);
      const before = await snapshots.totalBytes(server.pid);
      console.log(`  ${spec.label}: heap snapshots around ${count} idle connections`);
      await this.open(server.port, 0, count);
      await sleep(this.sizes.settleMs);
      const after = await snapshots.totalBytes(server.pid);
      results.heap = { connections: count, perConnKb: (after - before) / count / 1024 };
    } finally {
      await this.closeAll();
      await this.stopServer(server, spec);
      snapshots.remove();
    }
  }

  /** On a fresh server: fan-out latency at each fan-out size, then targeted sends over the clients. */
  async deliverySuite(spec: TargetSpec, results: TargetResults): Promise<void> {
    const { only } = this.options;
    if (!only.has('fanout') && !only.has('targeted')) return;
    const sizes = [
      ...new Set([
        ...(only.has('fanout') ? Object.keys(this.sizes.fanout).map(Number) : []),
        ...(only.has('targeted') ? [this.sizes.targetedAt] : []),
      ]),
    ].sort((x, y) => x - y);
    const server = await this.startServer(spec);
    try {
      let opened = 0;
      for (const size of sizes) {
        console.log(`  ${spec.label}: opening ${opened} -> ${size} connections`);
        await this.open(server.port, opened, size);
        opened = size;
        await sleep(500);
        const fanout = this.sizes.fanout[size];
        if (fanout && only.has('fanout')) {
          console.log(
            `  ${spec.label}: fan-out to ${size} (${fanout.count} broadcasts, one at a time)`,
          );
          // A fresh process runs its first events cold (code not yet optimised, sockets' first
          // writes): every target gets the same few unmeasured ones, reported on their own.
          const warmUp = await this.fanout(server, FANOUT_WARM_UP_EVENTS);
          const m = await this.fanout(server, fanout.count);
          results.fanout.push({
            warmUpSlowestMs: lastConnection(warmUp.report.lastArrivalUs).slowestEventMs,
            connections: size,
            events: m.published.sent,
            deliveries: m.report.received,
            ...m.latency,
            ...lastConnection(m.report.lastArrivalUs),
            cpuUsPerDelivery: m.serverCpuUs / Math.max(1, m.report.received),
            othersCpu0Pct: m.othersCpu0Pct,
            othersCpu1Pct: m.othersCpu1Pct,
          });
        }
        if (size === this.sizes.targetedAt && only.has('targeted')) {
          results.targeted = await this.targetedSends(server, spec, size);
          if (HUB_TARGETS.includes(spec.key)) {
            results.targetedBatch = await this.targetedSends(server, spec, size, TARGETED_BATCH_SIZE);
          }
          if (spec.key === 'consumer') {
            results.inProcess = await this.inProcessSends(server, spec, size);
          }
        }
      }
    } finally {
      await this.closeAll();
      await this.stopServer(server, spec);
    }
  }

  /** The same targeted sends made inside the app by `NotificationService.sendToClient` (target consumer). */
  async inProcessSends(server: ServerProcess, spec: TargetSpec, clients: number): Promise<TargetedResult> {
    console.log(`  ${spec.label}: in-process sendToClient over ${clients} clients for ${this.sizes.targetedMs} ms`);
    const m = await this.measure(
      server,
      async (phase) => {
        const answer = await fetch(`http://127.0.0.1:${server.port}/bench/in-process-sends`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phase, clients, durationMs: this.sizes.targetedMs }),
          signal: AbortSignal.timeout(this.sizes.targetedMs + 60_000),
        });
        const run = (await answer.json()) as { sent: number; failed: number; elapsedMs: number };
        return {
          sent: run.sent,
          accepted: run.sent - run.failed,
          failed: run.failed,
          errors: run.failed ? [`${run.failed} in-process sends failed`] : [],
          elapsedMs: run.elapsedMs,
          behind: 0,
          deliveredReported: 0,
          requestLatency: new Histogram().snapshot(),
        };
      },
      (published) => ({ kind: 'targeted', total: published.sent, clients }),
      20_000,
    );
    return {
      clients,
      sends: m.published.sent,
      sendsPerSec: (m.published.sent / m.published.elapsedMs) * 1000,
      ...m.latency,
      requestP50Ms: 0,
      requestP99Ms: 0,
      cpuUsPerSend: m.serverCpuUs / Math.max(1, m.published.sent),
      serverBusyPct: m.serverBusyPct,
      loadBusyPct: m.loadBusyPct,
      othersCpu0Pct: m.othersCpu0Pct,
      othersCpu1Pct: m.othersCpu1Pct,
    };
  }

  /**
   * Closed-loop sends to one client each, round robin over `clients`: one request per send, or
   * `batchSize` sends per `POST /notifications/batch`.
   */
  async targetedSends(server: ServerProcess, spec: TargetSpec, clients: number, batchSize?: number): Promise<TargetedResult> {
    console.log(
      `  ${spec.label}: targeted sends over ${clients} clients for ${this.sizes.targetedMs} ms` +
        (batchSize ? `, in batches of ${batchSize}` : ''),
    );
    const m = await this.measure(
      server,
      (phase) =>
        this.publisher.call<PublishReport>(
          'targeted',
          {
            port: server.port,
            token: this.pubToken,
            phase,
            clients,
            durationMs: this.sizes.targetedMs,
            // A batch carries many sends: fewer requests in flight keep the server's queue short.
            concurrency: batchSize ? 4 : this.sizes.targetedConcurrency,
            batchSize,
          },
          this.sizes.targetedMs + 60_000,
        ),
      (published) => ({ kind: 'targeted', total: published.sent, clients }),
      20_000,
    );
    const requests = Histogram.from([m.published.requestLatency]).summary();
    return {
            clients,
            sends: m.published.sent,
            sendsPerSec: (m.published.sent / m.publishMs) * 1000,
            ...m.latency,
            requestP50Ms: requests.p50Ms,
            requestP99Ms: requests.p99Ms,
            cpuUsPerSend: m.serverCpuUs / Math.max(1, m.published.sent),
            serverBusyPct: m.serverBusyPct,
            loadBusyPct: m.loadBusyPct,
            othersCpu0Pct: m.othersCpu0Pct,
            othersCpu1Pct: m.othersCpu1Pct,
          };
  }

  /**
   * Broadcasts at 1k connections, stepping the rate up by `factor` until a step is not held (p99
   * past the limit, the server behind, or connections dropped), then narrowing the gap between the
   * last rate held and the first not held with `refineSteps` geometric midpoints, so two targets'
   * figures compare to a few percent rather than to one factor step.
   */
  async sustainedSuite(spec: TargetSpec, results: TargetResults): Promise<void> {
    if (!this.options.only.has('sustained')) return;
    const cfg = this.sizes.sustained;
    const server = await this.startServer(spec);
    try {
      await this.open(server.port, 0, cfg.connections);
      await sleep(500);
      const steps: SustainedStepResult[] = [];
      let held: SustainedStepResult | undefined;
      let notHeld: { rate: number; why: string } | undefined;
      for (let rate = cfg.startRate, step = 0; step < cfg.maxSteps && !notHeld; rate *= cfg.factor, step++) {
        const result = await this.sustainedStep(server, spec, Math.round(rate), steps);
        if (result.held) held = result;
        else notHeld = { rate: result.broadcastsPerSec, why: result.why };
        await sleep(300);
      }
      for (let refine = 0; refine < cfg.refineSteps && held && notHeld; refine++) {
        const rate = Math.round(Math.sqrt(held.broadcastsPerSec * notHeld.rate));
        if (rate <= held.broadcastsPerSec || rate >= notHeld.rate) break;
        const result = await this.sustainedStep(server, spec, rate, steps);
        if (result.held) held = result;
        else notHeld = { rate, why: result.why };
        await sleep(300);
      }
      await sleep(300);
      const flatOut = await this.flatOut(server, spec);
      results.sustained = {
        connections: cfg.connections,
        steps,
        best: held,
        flatOut,
        stopReason: notHeld
          ? `${notHeld.rate} broadcasts/s not held: ${notHeld.why}`
          : `reached the last step (${cfg.maxSteps})`,
      };
    } finally {
      await this.closeAll();
      await this.stopServer(server, spec);
    }
  }

  /** Broadcasts at `perSecond` for `stepMs` with at most 64 publishes in flight, every event counted. */
  private broadcastAtRate(server: ServerProcess, perSecond: number): Promise<Measured> {
    const cfg = this.sizes.sustained;
    return this.measure(
      server,
      (phase) =>
        this.publisher.call<PublishReport>(
          'rate',
          {
            port: server.port,
            token: this.pubToken,
            phase,
            path: '/notifications/broadcast',
            perSecond,
            durationMs: cfg.stepMs,
            maxInFlight: 64,
          },
          cfg.stepMs + 60_000,
        ),
      (published) => ({ kind: 'broadcast', count: published.sent }),
      30_000,
      { allowServerDrops: true },
    );
  }

  /**
   * The most the server delivers when publishes come as fast as it answers them (64 in flight),
   * whatever the latency: a figure that does not hang on where a p99 crosses its limit.
   */
  private async flatOut(server: ServerProcess, spec: TargetSpec): Promise<FlatOutResult> {
    const m = await this.broadcastAtRate(server, FLAT_OUT_RATE);
    const deliveries = m.report.received;
    const result: FlatOutResult = {
      broadcastsPerSec: (m.published.sent / m.publishMs) * 1000,
      deliveriesPerSec: (deliveries / m.publishMs) * 1000,
      cpuUsPerDelivery: m.serverCpuUs / Math.max(1, deliveries),
      eventsPerSocketRead: deliveries / Math.max(1, m.report.socketReads),
      closedByServer: m.report.closedByServer,
    };
    console.log(
      `  ${spec.label}: as fast as answered -> ${fmtInt(result.broadcastsPerSec)} broadcasts/s, ${fmtInt(result.deliveriesPerSec)} deliveries/s, ` +
        `CPU/delivery ${result.cpuUsPerDelivery.toFixed(2)} µs, ${result.eventsPerSocketRead.toFixed(2)} events per socket read` +
        (result.closedByServer ? `, ${result.closedByServer} connections dropped as too slow` : ''),
    );
    return result;
  }

  /**
   * One rate for `stepMs`; held when the server kept up, p99 stayed under the limit and nobody
   * was dropped. A step that fails without dropping anyone is run once more: on a shared machine
   * one burst of someone else's work can push a p99 over the limit.
   */
  private async sustainedStep(
    server: ServerProcess,
    spec: TargetSpec,
    perSecond: number,
    steps: SustainedStepResult[],
  ): Promise<SustainedStepResult & { why: string }> {
    const cfg = this.sizes.sustained;
    for (let attempt = 1; ; attempt++) {
      const m = await this.broadcastAtRate(server, perSecond);
      const deliveries = m.report.received;
      const why: string[] = [];
      if (m.published.behind > 0) why.push(`the server fell behind (${m.published.behind} sends still due)`);
      if (m.latency.p99Ms > cfg.p99LimitMs) why.push(`p99 ${m.latency.p99Ms.toFixed(1)} ms > ${cfg.p99LimitMs} ms`);
      if (m.report.closedByServer > 0) {
        why.push(
          `${m.report.closedByServer} connections dropped by the server as too slow (${m.report.lostToClosed} events not delivered to them)`,
        );
      }
      const result: SustainedStepResult = {
        broadcastsPerSec: perSecond,
        achievedPerSec: (m.published.sent / m.publishMs) * 1000,
        deliveriesPerSec: (deliveries / m.publishMs) * 1000,
        behind: m.published.behind,
        ...m.latency,
        cpuUsPerDelivery: m.serverCpuUs / Math.max(1, deliveries),
        eventsPerSocketRead: deliveries / Math.max(1, m.report.socketReads),
        serverBusyPct: m.serverBusyPct,
        loadBusyPct: m.loadBusyPct,
        closedByServer: m.report.closedByServer,
        othersCpu0Pct: m.othersCpu0Pct,
        othersCpu1Pct: m.othersCpu1Pct,
        attempt,
        held: why.length === 0,
      };
      steps.push(result);
      console.log(
        `  ${spec.label}: ${perSecond} broadcasts/s -> ${fmtInt(result.deliveriesPerSec)} deliveries/s, ` +
          `p99 ${result.p99Ms.toFixed(1)} ms, CPU: server ${result.serverBusyPct.toFixed(0)}%, load ${result.loadBusyPct.toFixed(0)}%, ` +
          `others ${result.othersCpu0Pct.toFixed(0)}%/${result.othersCpu1Pct.toFixed(0)}% of core 0/1, ` +
          `${result.eventsPerSocketRead.toFixed(2)} events per socket read` +
          (result.held ? '' : `  (not held: ${why.join('; ')})`),
      );
      if (result.held || attempt === 2 || m.report.closedByServer > 0) {
        return { ...result, why: why.join('; ') };
      }
      console.log(`  ${spec.label}: running ${perSecond} broadcasts/s once more`);
      await sleep(1000);
    }
  }

  /**
   * Stream set-up rate with RS256 and ES256 tokens (the hub verifying with the public key, as with
   * an identity provider) next to HS256, each on a fresh hub: first connects (a signature check
   * each), then the same clients again with the same tokens (the verified-token cache answers).
   */
  async authSuite(results: BenchResults): Promise<void> {
    if (!this.options.only.has('auth') || !this.options.targets.includes('hub')) return;
    const count = this.sizes.authConnections;
    const keys: { alg: AuthResult['alg']; env: Record<string, string>; signing?: BenchSigningKey }[] = [
      { alg: 'HS256', env: {} },
      ...(['RS256', 'ES256'] as const).map((alg) => {
        const { privateKey, publicKey } =
          alg === 'RS256'
            ? generateKeyPairSync('rsa', { modulusLength: 2048 })
            : generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return {
          alg,
          env: { JWT_SECRET: '', JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }) as string },
          signing: { alg, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
        };
      }),
    ];
    results.auth = [];
    for (const { alg, env, signing } of keys) {
      const server = await this.startServer(TARGETS.hub, env, `hub ${alg}`);
      try {
        await sleep(1000);
        console.log(`  auth: ${count} connections with ${alg} tokens, then again`);
        const first = await this.open(server.port, 0, count, signing);
        await this.closeAll();
        await sleep(this.sizes.settleMs);
        const again = await this.open(server.port, 0, count, signing);
        results.auth.push({
          alg,
          connections: count,
          firstPerSec: first.perSecond,
          againPerSec: again.perSecond,
          verifyUs: await joseVerifyCost(signing),
        });
      } finally {
        await this.closeAll();
        await this.stopServer(server, TARGETS.hub);
      }
    }
  }

  /**
   * For each broker probed (see `probeBrokers`), two hub instances on it: broadcasts published on
   * A reach 1,000 connections on B (latency from the publish to each delivery), then A is
   * published to as fast as 64 requests in flight allow, with a few connections on B (the
   * highest sustained publish rate through the broker, every event counted on B).
   */
  async brokerSuite(results: BenchResults): Promise<void> {
    if (this.options.broker === 'memory' || !this.options.only.has('redis')) return;
    results.brokers = {};
    for (const [broker, env] of Object.entries(this.brokerEnvs) as [SharedBroker, Record<string, string>][]) {
      const cfg = this.sizes.redis;
      const spec = TARGETS.hub;
      const a = await this.startServer(spec, env, `hub A (${broker})`);
      let b: ServerProcess | undefined;
      try {
        b = await this.startServer(spec, env, `hub B (${broker})`);
        await this.open(b.port, 0, cfg.connections);
        await sleep(500);
        console.log(`  ${broker}: ${cfg.count} broadcasts on A, ${cfg.connections} connections on B`);
        const m = await this.fanout(b, cfg.count, a);
        await this.closeAll();
        await this.open(b.port, 0, cfg.rateConnections);
        await sleep(500);
        const server = b;
        console.log(`  ${broker}: publishing on A as fast as it answers for ${cfg.rateMs} ms, ${cfg.rateConnections} connections on B`);
        const rate = await this.measure(
          server,
          (phase) =>
            this.publisher.call<PublishReport>(
              'rate',
              {
                port: a.port,
                token: this.pubToken,
                phase,
                path: '/notifications/broadcast',
                perSecond: 100_000,
                durationMs: cfg.rateMs,
                maxInFlight: 64,
              },
              cfg.rateMs + 60_000,
            ),
          (published) => ({ kind: 'broadcast', count: published.sent }),
          30_000,
        );
        results.brokers[broker] = {
          connections: cfg.connections,
          events: m.published.sent,
          othersCpu0Pct: m.othersCpu0Pct,
          ...m.latency,
          cpuUsPerDeliveryB: m.serverCpuUs / Math.max(1, m.report.received),
          publishesPerSec: (rate.published.sent / rate.publishMs) * 1000,
          publishP99Ms: Histogram.from([rate.published.requestLatency]).summary().p99Ms,
        };
        console.log(`  ${broker}: ${fmtInt(results.brokers[broker].publishesPerSec)} publishes/s through the broker`);
      } finally {
        await this.closeAll();
        if (b) await this.stopServer(b, spec);
        await this.stopServer(a, spec);
      }
    }
  }

  /** The environment of a hub on each shared broker this run measures. */
  brokerEnvs: Partial<Record<SharedBroker, Record<string, string>>> = {};

  /**
   * Checks once whether the hub starts on the broker asked for (and, for PostgreSQL, on Redis
   * too, measured next to it); the hub's other scenarios run on the broker asked for. A broker
   * that does not answer is skipped with a note (the run goes on in memory).
   */
  async probeBrokers(): Promise<void> {
    if (this.options.broker === 'memory') return;
    const wanted: SharedBroker[] = this.options.broker === 'postgres' ? ['redis', 'postgres'] : ['redis'];
    const tag = `${process.pid}_${Date.now()}`;
    for (const broker of wanted) {
      const env: Record<string, string> =
        broker === 'redis'
          ? { SSE_BROKER: 'redis', REDIS_URL, SSE_REDIS_PREFIX: `sse-bench-${tag}` }
          : { SSE_BROKER: 'postgres', DATABASE_URL, SSE_POSTGRES_SCHEMA: `sse_bench_${tag}` };
      if (broker === 'redis') {
        const reachable = await redisPing();
        if (reachable !== true) {
          this.note(`--broker ${broker}: Redis at ${REDIS_URL} does not answer (${reachable})`);
          continue;
        }
      }
      try {
        const probe = await ServerProcess.start(TARGETS.hub, {
          port: await freePort(),
          cpu: SERVER_CPU,
          extraEnv: env,
          name: `hub (${broker} probe)`,
        });
        await probe.stop();
        this.brokerEnvs[broker] = env;
      } catch (error) {
        this.note(
          `--broker ${broker} skipped: the hub refused SSE_BROKER=${broker} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
    this.hubEnv = this.brokerEnvs[this.options.broker] ?? {};
    if (!this.hubEnv.SSE_BROKER) this.note('the hub ran with the in-memory broker');
  }

  /** Deletes what the brokers hold of this run (its Redis prefix, its PostgreSQL schema). */
  async cleanBrokers(): Promise<void> {
    const redisPrefix = this.brokerEnvs.redis?.SSE_REDIS_PREFIX;
    if (redisPrefix) {
      const deleted = await cleanRedis(redisPrefix).catch(() => 0);
      console.log(`  redis: deleted ${deleted} keys under {${redisPrefix}}:`);
    }
    const schema = this.brokerEnvs.postgres?.SSE_POSTGRES_SCHEMA;
    if (schema) {
      execFileSync('psql', [DATABASE_URL, '-qc', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore', timeout: 30_000 });
      console.log(`  postgres: dropped schema ${schema}`);
    }
  }

  note(message: string): void {
    if (!this.notes.includes(message)) {
      this.notes.push(message);
      console.log(`  note: ${message}`);
    }
  }
}

interface Measured {
  readonly published: PublishReport;
  readonly report: PhaseReport;
  readonly latency: LatencySummary;
  readonly publishMs: number;
  readonly totalMs: number;
  readonly serverCpuUs: number;
  readonly serverBusyPct: number;
  readonly loadBusyPct: number;
  readonly othersCpu0Pct: number;
  readonly othersCpu1Pct: number;
}

function ownCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * What one jose verify of a client token costs here (in the harness, on the load CPU): the
 * signature check a first connection pays, without the rest of the set-up or the noise of a
 * shared machine's scheduling.
 */
async function joseVerifyCost(signing?: BenchSigningKey): Promise<number> {
  const token = jwt.sign({ sub: 'probe' }, signing ? createPrivateKey(signing.privateKeyPem) : createSecretKey(Buffer.from(BENCH_SECRET)), {
    algorithm: signing?.alg ?? 'HS256',
    expiresIn: '1h',
  });
  // As the hub holds them: the public key as a KeyObject, the secret as an HMAC CryptoKey.
  const key = signing
    ? createPublicKey(signing.privateKeyPem)
    : await crypto.subtle.importKey('raw', Buffer.from(BENCH_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const options = { algorithms: [signing?.alg ?? 'HS256'] };
  const rounds = 500;
  for (let i = 0; i < 50; i++) await jwtVerify(token, key, options);
  // CPU time of the whole process (WebCrypto works on the libuv pool), not wall time.
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await jwtVerify(token, key, options);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / rounds;
}

/**
 * What one jsonwebtoken verify costs here, with the secret as a string (what @nestjs/jwt passes,
 * and the baselines too) and as a KeyObject: the first is tried as a PEM key before anything else.
 */
function jwtVerifyCost(): { stringSecretUs: number; keyObjectUs: number } {
  const token = jwt.sign({ sub: 'probe' }, BENCH_SECRET, { algorithm: 'HS256' });
  const time = (secret: string | KeyObject): number => {
    const rounds = 300;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) jwt.verify(token, secret, { algorithms: ['HS256'] });
    return Number(process.hrtime.bigint() - started) / 1000 / rounds;
  };
  const key = createSecretKey(Buffer.from(BENCH_SECRET));
  time(BENCH_SECRET);
  time(key);
  return { stringSecretUs: time(BENCH_SECRET), keyObjectUs: time(key) };
}

/** Each event's last-connection time, its median and the slowest (see `FanoutResult`). */
function lastConnection(
  lastArrivalUs: number[],
): Pick<FanoutResult, 'lastConnectionMs' | 'lastConnectionMedianMs' | 'slowestEventMs'> {
  const perEvent = lastArrivalUs.map((us) => Math.round(us / 10) / 100);
  const sorted = [...perEvent].sort((a, b) => a - b);
  return {
    lastConnectionMs: perEvent,
    lastConnectionMedianMs: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    slowestEventMs: sorted[sorted.length - 1] ?? 0,
  };
}

function mergeReports(reports: PhaseReport[]): PhaseReport {
  const sum = (key: keyof PhaseReport): number =>
    reports.reduce((total, r) => total + (r[key] as number), 0);
  return {
    connections: sum('connections'),
    received: sum('received'),
    expected: sum('expected'),
    missing: sum('missing'),
    duplicates: sum('duplicates'),
    stray: sum('stray'),
    socketReads: sum('socketReads'),
    closedByServer: sum('closedByServer'),
    lostToClosed: sum('lostToClosed'),
    incomplete: sum('incomplete'),
    latency: Histogram.from(reports.map((r) => r.latency)).snapshot(),
    lastArrivalUs: Array.from(
      { length: Math.max(0, ...reports.map((r) => r.lastArrivalUs.length)) },
      (_, seq) => Math.max(0, ...reports.map((r) => r.lastArrivalUs[seq] ?? 0)),
    ),
    examples: reports.flatMap((r) => r.examples).slice(0, 5),
  };
}

async function redisPing(): Promise<true | string> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? true : 'no PONG';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys this run's hubs wrote under its own prefix, and nothing else. */
async function cleanRedis(prefix: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

function startWorker(name: string, script: string): WorkerClient {
  const child = spawnNode(['--max-old-space-size=2048', resolve(ROOT, 'dist/bench/load', script)], {
    cpu: LOAD_CPU,
    ipc: true,
    inheritOutput: true,
  });
  return new WorkerClient(name, child);
}

function machine(): BenchResults['machine'] {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: release(),
    openFilesLimit: openFilesLimit(),
    taskset: hasTaskset,
    loadAverageAtStart: loadAverage(),
    jwtVerify: jwtVerifyCost(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--', 'libs', 'src']) !== '',
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  selfTestParser();
  for (const spec of options.targets.map((key) => TARGETS[key])) {
    if (!existsSync(spec.script))
      throw new Error(`${spec.script} is missing: run "npm run bench" (it builds first)`);
  }
  pinProcess(process.pid, LOAD_CPU);
  if (!hasTaskset) console.log('note: taskset not found, processes are not pinned');
  if (cpus().length < 2) console.log('note: fewer than 2 CPUs: server and load share one');
  const sizes = options.quick ? QUICK : FULL;
  const readers = Array.from({ length: READERS }, (_, i) =>
    startWorker(`reader ${i + 1}`, 'reader.js'),
  );
  const publisher = startWorker('publisher', 'publisher.js');
  const bench = new Bench(options, sizes, readers, publisher);
  const startedAt = Date.now();
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: options.quick,
    broker: options.broker,
    machine: machine(),
    sizes,
    targets: {},
    notes: bench.notes,
    failures: bench.failures,
  };
  const stopWorkers = (): void =>
    [...readers, publisher].forEach((worker) => worker.child.disconnect?.());
  process.once('SIGINT', () => {
    console.log('\ninterrupted: stopping the servers and load processes');
    stopWorkers();
  });
  try {
    await bench.probeBrokers();
    for (const key of options.targets) {
      const spec = TARGETS[key];
      const label = key === 'hub' && bench.hubEnv.SSE_BROKER ? `hub (${bench.hubEnv.SSE_BROKER})` : spec.label;
      const target: TargetResults = { label, idle: [], fanout: [] };
      results.targets[key] = target;
      console.log(`\n== ${label}`);
      const suites =
        key === 'hub-memory' && options.memoryComparisonOnly
          ? [bench.sustainedSuite]
          : [bench.idleSuite, bench.heapSuite, bench.deliverySuite, bench.sustainedSuite];
      for (const suite of suites) {
        try {
          await suite.call(bench, spec, target);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          bench.failures.push(`${label}: ${message}`);
          console.log(`  FAILED: ${message}`);
        }
      }
    }
    try {
      await bench.authSuite(results);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bench.failures.push(`auth: ${message}`);
      console.log(`  FAILED: ${message}`);
    }
    try {
      await bench.brokerSuite(results);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bench.failures.push(`redis: ${message}`);
      console.log(`  FAILED: ${message}`);
    }
    await bench.cleanBrokers().catch((error: unknown) => console.log(`  cleaning the brokers failed: ${String(error)}`));
  } finally {
    stopWorkers();
  }
  results.durationSec = (Date.now() - startedAt) / 1000;
  results.machine.loadAverageAtEnd = loadAverage();
  results.profiles = bench.profiles;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = resolve(RESULTS_DIR, 'latest.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${formatTable(results)}\n`);
  console.log(`results: ${out} (${results.durationSec.toFixed(0)} s)`);
  if (bench.failures.length > 0) {
    console.error(`\nFAILED (${bench.failures.length}):\n- ${bench.failures.join('\n- ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
