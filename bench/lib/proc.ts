import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';

/** Linux process accounting, read from /proc: what the benchmark charges a server or a load process. */

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Resident set size in KiB (VmRSS of /proc/<pid>/status). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** CPU time (utime + stime) in microseconds; 0 once the process is gone. */
export function cpuUs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may contain spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export function totalCpuUs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuUs(pid), 0);
}

/** Direct children of a process (to find the node process under a `timeout` wrapper). */
export function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  }
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The executable a process runs (after every exec), or '' once it is gone. */
export function executableOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins a running process (used for the orchestrator itself) to one CPU. */
export function pinProcess(pid: number, cpu: number): void {
  if (!hasTaskset) return;
  execFileSync('taskset', ['-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** The hard open-files limit every process started from here can raise its soft limit to. */
export function openFilesLimit(): number {
  const raw = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return raw === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(raw);
}

export interface SpawnOptions {
  /** The CPU to pin to (taskset -c), when taskset exists. */
  readonly cpu?: number;
  /** A hard bound on the process's life (coreutils `timeout`), so nothing outlives a crashed run. */
  readonly maxSeconds?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly ipc?: boolean;
  readonly inheritOutput?: boolean;
}

/**
 * Starts `node <args>` through bash, with the soft open-files limit raised to the hard one,
 * pinned with taskset and bounded with timeout. `exec` keeps the pid through bash and taskset; the
 * `timeout` wrapper is a parent, so its node child is looked up afterwards.
 */
export function spawnNode(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const pin = hasTaskset && options.cpu !== undefined ? `taskset -c ${options.cpu} ` : '';
  const bound = options.maxSeconds ? `timeout -s TERM -k 10 ${options.maxSeconds} ` : '';
  const script = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${bound}${pin}'${process.execPath}' ${quoted}`;
  const output = options.inheritOutput ? 'inherit' : 'pipe';
  return spawn('bash', ['-c', script], {
    env: options.env ?? process.env,
    stdio: options.ipc ? ['ignore', output, output, 'ipc'] : ['ignore', output, output],
  });
}

/**
 * The node process behind a spawnNode child: the child of its `timeout` wrapper once that child
 * has exec'd node (bash's own short-lived subshells, or taskset before its exec, do not count).
 */
export async function nodePidOf(child: ChildProcess): Promise<number> {
  const pid = child.pid;
  if (pid === undefined) throw new Error('process did not start');
  const node = realpathSync(process.execPath);
  for (let attempt = 0; attempt < 250; attempt++) {
    if (executableOf(pid).endsWith('/timeout')) {
      const found = childrenOf(pid).find((candidate) => executableOf(candidate) === node);
      if (found !== undefined) return found;
    }
    await sleep(20);
  }
  throw new Error(`could not find the node process under pid ${pid}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Busy time of one CPU (everything but idle and iowait) in microseconds, from /proc/stat. */
export function cpuBusyUs(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${cpu} `));
  if (!line) return 0;
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return ((user + nice + system + irq + softirq + (steal ?? 0)) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
