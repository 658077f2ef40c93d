import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { cpuUs, nodePidOf, rssKb, sleep, spawnNode } from './proc.js';
import { BENCH_SECRET } from './protocol.js';

/**
 * The servers the harness measures, built into dist/: the reference app (`hub`), the same with an
 * OpenTelemetry SDK registered (`hub-traced`), an app on the module's defaults (`consumer`), and
 * the baselines: the two outside the hub, and the reference app on the in-memory broker
 * (`hub-memory`), the one a hub on a shared broker is compared with.
 */
export type TargetKey = 'hub' | 'hub-traced' | 'consumer' | 'hub-memory' | 'node-http' | 'nest-sse';

/** The targets that are the hub (their ratios to the baselines are reported); the rest are baselines. */
export const HUB_TARGETS: readonly TargetKey[] = ['hub', 'hub-traced', 'consumer'];

export interface TargetSpec {
  readonly key: TargetKey;
  readonly label: string;
  readonly script: string;
  readonly env: Record<string, string>;
  /** Node options the target always runs with. */
  readonly nodeArgs?: readonly string[];
}

const root = resolve(import.meta.dirname, '..', '..', '..');

/** Shared by every target: production mode and the bench secret. */
const COMMON_ENV = { NODE_ENV: 'production', JWT_SECRET: BENCH_SECRET };

/** The reference app in production mode, with the limits that one load generator would hit lifted. */
const HUB_ENV = {
  ...COMMON_ENV,
  SSE_DEV_TOKENS: 'off',
  SSE_DEMO_FEED: 'off',
  SSE_ACCESS_LOG: 'off',
  // The load comes from one address and one publisher: lift the per-address and
  // per-publisher limits, and the per-instance cap above the largest scenario.
  SSE_CONNECT_RATE_PER_MINUTE: '0',
  SSE_PUBLISH_RATE_PER_SECOND: '0',
  SSE_MAX_CONNECTIONS: '1000000',
  SSE_HEARTBEAT_MS: '15000',
  SSE_RETRY_MS: '3000',
};

export const TARGETS: Record<TargetKey, TargetSpec> = {
  hub: {
    key: 'hub',
    label: 'hub',
    script: resolve(root, 'dist/src/main.js'),
    env: HUB_ENV,
  },
  // The hub again, with an OpenTelemetry SDK registered: what tracing costs when someone looks.
  'hub-traced': {
    key: 'hub-traced',
    label: 'hub + OTel SDK',
    script: resolve(root, 'dist/src/main.js'),
    env: HUB_ENV,
    nodeArgs: ['--import', resolve(root, 'dist/bench/lib/register-tracing-sdk.js')],
  },
  consumer: {
    key: 'consumer',
    label: 'app on defaults',
    script: resolve(root, 'dist/bench/apps/default-consumer.js'),
    env: COMMON_ENV,
  },
  // The reference app on the in-memory broker whatever `--broker` says: with `--broker redis`
  // the hub's figures are reported against it too (the cost of the broker, in one run).
  'hub-memory': {
    key: 'hub-memory',
    label: 'hub (memory)',
    script: resolve(root, 'dist/src/main.js'),
    env: { ...HUB_ENV, SSE_BROKER: 'memory' },
  },
  'node-http': {
    key: 'node-http',
    label: 'node:http',
    script: resolve(root, 'dist/bench/baselines/node-http-broadcaster.js'),
    env: COMMON_ENV,
  },
  'nest-sse': {
    key: 'nest-sse',
    label: 'nest @Sse',
    script: resolve(root, 'dist/bench/baselines/nest-sse-subject.js'),
    env: COMMON_ENV,
  },
};

export interface StartOptions {
  readonly port: number;
  readonly extraEnv?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** Every server of a run is pinned to this CPU. */
  readonly cpu: number;
  readonly name?: string;
}

/** One server process: started pinned and time-bounded, measured through /proc, stopped by its pid. */
export class ServerProcess {
  private output = '';
  private exitInfo?: string;
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = `code ${code}, signal ${signal}`;
        done();
      }),
    );
  }

  static async start(spec: TargetSpec, options: StartOptions): Promise<ServerProcess> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...spec.env,
      PORT: String(options.port),
      ...options.extraEnv,
    };
    delete env.NODE_OPTIONS;
    const child = spawnNode([...(spec.nodeArgs ?? []), ...(options.nodeArgs ?? []), spec.script], {
      cpu: options.cpu,
      maxSeconds: 1800,
      env,
    });
    const pid = await nodePidOf(child);
    const server = new ServerProcess(options.name ?? spec.label, options.port, child, pid);
    await server.waitReady(30_000);
    return server;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  rssKb(): number {
    return rssKb(this.pid);
  }

  cpuUs(): number {
    return cpuUs(this.pid);
  }

  recentOutput(): string {
    return this.output;
  }

  /** SIGTERM (the wrapper relays it), then SIGKILL to both if it has not gone within 15 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const gone = await Promise.race([
      this.exited.then(() => true),
      sleep(15_000).then(() => false),
    ]);
    if (!gone) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Any HTTP answer on /health means it listens (the hub may not have /health yet). */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) {
        throw new Error(
          `${this.name} exited during start-up (${this.exitInfo}): ${lastLines(this.output)}`,
        );
      }
      if (await answers(this.port)) return;
      await sleep(100);
    }
    await this.stop();
    throw new Error(`${this.name} did not answer on port ${this.port} within ${timeoutMs} ms`);
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      done(true);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => {
      req.destroy();
      done(false);
    });
    req.end();
  });
}

/** The lines of a failed start-up worth quoting: errors if any, else the last ones. */
function lastLines(text: string): string {
  const plain = text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = plain.filter(
    (line) => !/\bLOG\b/.test(line) && /error|invalid|must|refus|cannot|failed|^- /i.test(line),
  );
  return [...new Set(errors.length ? errors : plain)].slice(-3).join(' ');
}
