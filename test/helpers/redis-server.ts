import { freePort } from './free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';

/**
 * A private `redis-server` for fault tests: on a free port of 127.0.0.1, without persistence,
 * started and stopped by PID. Tests stop and restart this one, never the shared Redis.
 */
export class PrivateRedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly args: (port: number) => readonly string[],
  ) {}

  /**
   * Starts a server on a free port and waits until it answers PING. `args` are its command line
   * after the defaults (a replica's `--replicaof`, `--cluster-enabled yes`), or, for a Sentinel,
   * the whole command line (see `startSentinel`).
   */
  static async start(args: (port: number) => readonly string[] = () => []): Promise<PrivateRedisServer> {
    const server = new PrivateRedisServer(await freePort(), args);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** (Re)starts the server on the same port; resolves once it answers PING. */
  async restart(timeoutMs = 5_000): Promise<void> {
    if (this.process) {
      throw new Error('the private redis-server is already running');
    }
    const own = this.args(this.port);
    const commandLine = own[0]?.endsWith('.conf')
      ? own
      : ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...own];
    const child = spawn('redis-server', [...commandLine], { stdio: 'ignore' });
    this.process = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code} while starting`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (!(await Promise.race([ping(this.port), exited]))) {
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `redis-server on port ${this.port} did not answer PING within ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the server by its PID (SIGKILL: no goodbye to clients, like a crash) and waits for its exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child) {
      return;
    }
    this.process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid as number, signal);
    await exited;
  }
}

/** Whether a Redis answers PING on the port (a raw RESP exchange, no client library). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
