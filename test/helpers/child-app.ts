import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_SECRET } from './tokens.js';

/**
 * Compiles the app as `npm run build` does, into a folder of its own under dist/ (so node still
 * finds node_modules, and a developer's dist/src is left alone). Returns the folder.
 */
export function buildAppOnce(name: string): string {
  const outDir = join('dist', `.e2e-${name}-${process.pid}`);
  const bin = (tool: string) => join('node_modules', '.bin', tool);
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
    stdio: 'pipe',
    timeout: 120_000,
  });
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
    stdio: 'pipe',
    timeout: 60_000,
  });
  execFileSync(process.execPath, ['scripts/copy-assets.js', outDir], {
    stdio: 'pipe',
    timeout: 30_000,
  });
  return outDir;
}

export function removeBuild(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
}

export interface ChildApp {
  readonly process: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `node <outDir>/src/main.js` the way `npm start` does, on a free port, and waits (bounded)
 * for its "listening on" line.
 */
export async function startChildApp(
  outDir: string,
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<ChildApp> {
  const child = spawn(process.execPath, [join(outDir, 'src', 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      JWT_SECRET: TEST_SECRET,
      SSE_DEMO_FEED: 'off',
      PORT: '0',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before listening:\n${output}`));
    });
  });
  return { process: child, url, output: () => output, exited };
}
