import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
/** Debian's PostgreSQL 15 binaries (`postgresql-15`); TEST_PG_BIN points elsewhere. */
const BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const AS_ROOT = process.getuid?.() === 0;

/**
 * A private PostgreSQL for fault tests: its own data directory under /tmp, on a free port of
 * 127.0.0.1, trust authentication, stopped and started with pg_ctl on that directory only.
 * Tests stop and restart this one, never the shared server on 5432. initdb refuses to run as
 * root, so as root every command runs as the `postgres` OS user (runuser).
 */
export class PrivatePostgresServer {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Creates a cluster (initdb) and starts it; resolves once it accepts connections. */
  static async start(): Promise<PrivatePostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'sse-pg-'));
    if (AS_ROOT) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(dir, 0o700);
    const server = new PrivatePostgresServer(await freePort(), dir);
    await server.pg('initdb', ['-D', server.dataDir, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], 60_000);
    await server.restart();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** (Re)starts the server on the same port and data; resolves once it accepts connections. */
  async restart(timeoutMs = 20_000): Promise<void> {
    if (this.running) {
      throw new Error('the private PostgreSQL is already running');
    }
    await this.pg(
      'pg_ctl',
      [
        '-D',
        this.dataDir,
        '-l',
        join(this.dir, 'log'),
        '-w',
        '-t',
        String(Math.ceil(timeoutMs / 1000)),
        '-o',
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ],
      timeoutMs + 5_000,
    );
    this.running = true;
  }

  /**
   * Stops the server: `immediate` by default (no goodbye to clients, no checkpoint, like a
   * crash; what was committed survives in the WAL), and waits until it is gone.
   */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop'], 30_000);
  }

  /** Stops the server if it runs and deletes its directory. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: string, args: string[], timeout: number): Promise<void> {
    const binary = join(BIN, tool);
    const [command, argv] = AS_ROOT
      ? ['runuser', ['-u', 'postgres', '--', binary, ...args]]
      : [binary, args];
    await run(command, argv, { timeout });
  }
}
