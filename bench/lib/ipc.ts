import type { ChildProcess } from 'node:child_process';

/** Request/answer messages between the orchestrator and a load process, over Node's IPC channel. */
interface Request {
  readonly id: number;
  readonly command: string;
  readonly args: unknown;
}

interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

type Handler = (args: never) => unknown;

/** Worker side: answers the orchestrator's calls; exits when the orchestrator goes away. */
export function serve(handlers: Record<string, Handler>): void {
  if (!process.send) {
    throw new Error('load processes are started by bench/run.js (they need an IPC channel)');
  }
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Request) => {
    const handler = handlers[message.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        return handler(message.args as never);
      })
      .then(
        (value) => process.send?.({ id: message.id, ok: true, value } satisfies Answer),
        (error: unknown) =>
          process.send?.({
            id: message.id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          } satisfies Answer),
      );
  });
}

/** Orchestrator side: calls into one worker, each call bounded in time. */
export class WorkerClient {
  private next = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (answer: Answer) => {
      const pending = this.waiting.get(answer.id);
      if (!pending) return;
      this.waiting.delete(answer.id);
      clearTimeout(pending.timer);
      if (answer.ok) pending.resolve(answer.value);
      else pending.reject(new Error(`${name}: ${answer.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const [, pending] of this.waiting) {
        clearTimeout(pending.timer);
        pending.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
      }
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T>(command: string, args: unknown, timeoutMs: number): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: "${command}" took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ id, command, args } satisfies Request);
    });
  }
}
