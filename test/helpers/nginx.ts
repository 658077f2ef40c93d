import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NGINX = '/usr/sbin/nginx';

/**
 * nginx with the repository's docs/nginx-two-instances.conf, as a user would run it, on a port
 * and upstreams of the test's choosing; its files in a temporary folder. Started in the
 * foreground (`daemon off`) and stopped by its PID.
 */
export class NginxServer {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(port: number, upstreams: readonly number[]): Promise<NginxServer> {
    const dir = mkdtempSync(join(tmpdir(), 'sse-hub-nginx-'));
    const config = readFileSync('docs/nginx-two-instances.conf', 'utf8')
      .replace(/^\s*server 127\.0\.0\.1:\d+;\n/gm, '')
      .replace(
        /upstream sse_hub \{\n/,
        `upstream sse_hub {\n${upstreams.map((p) => `    server 127.0.0.1:${p};\n`).join('')}`,
      )
      .replace(/listen \d+;/, `listen 127.0.0.1:${port};`)
      .replaceAll('/tmp/sse-hub-nginx', join(dir, 'nginx'))
      .replace(/error_log [^;]+;/, `error_log ${join(dir, 'error.log')} warn;`);
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, config);
    const child = spawn(NGINX, ['-c', file, '-p', dir, '-g', 'daemon off;'], { stdio: 'ignore' });
    const server = new NginxServer(child, dir, port);
    const deadline = Date.now() + 10_000;
    while (!(await isListening(port))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        const log = safeRead(join(dir, 'error.log'));
        await server.stop();
        throw new Error(`nginx did not start on ${port}: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      this.process.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no error log)';
  }
}
