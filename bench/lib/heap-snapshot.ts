import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './proc.js';

/**
 * Heap snapshots of a server started with `--heapsnapshot-signal=SIGUSR2`, written into a
 * private directory (`--diagnostic-dir`). A snapshot counts only live objects (V8 collects
 * garbage first), so the difference of two divided by the connections opened in between is the
 * heap each connection holds, free of the GC timing and allocator slack that move RSS.
 */
export class HeapSnapshots {
  readonly dir = mkdtempSync(join(tmpdir(), 'sse-bench-heap-'));

  /** The node flags that make the server write a snapshot here on SIGUSR2. */
  get nodeArgs(): string[] {
    return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${this.dir}`];
  }

  /** Asks process `pid` for a snapshot and returns its total self size in bytes. */
  async totalBytes(pid: number, timeoutMs = 120_000): Promise<number> {
    const before = new Set(readdirSync(this.dir));
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await sleep(250);
      const file = readdirSync(this.dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
      if (file !== undefined && isComplete(join(this.dir, file))) {
        const total = selfSizeTotal(join(this.dir, file));
        rmSync(join(this.dir, file));
        return total;
      }
    }
    throw new Error(`no heap snapshot from pid ${pid} within ${timeoutMs} ms`);
  }

  remove(): void {
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A snapshot is written as one JSON object: complete once it ends with its closing brace. */
function isComplete(file: string): boolean {
  const size = statSync(file).size;
  if (size < 2) return false;
  const tail = Buffer.alloc(Math.min(16, size));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.toString('utf8').trimEnd().endsWith('}');
}

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

function selfSizeTotal(file: string): number {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as SnapshotFile;
  const fields = parsed.snapshot.meta.node_fields;
  const stride = fields.length;
  const selfSize = fields.indexOf('self_size');
  let total = 0;
  for (let i = selfSize; i < parsed.nodes.length; i += stride) {
    total += parsed.nodes[i];
  }
  return total;
}
