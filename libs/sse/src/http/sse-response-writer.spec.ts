import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StreamMessage } from '../application/stream-message.js';
import { FlushScheduler } from './flush-scheduler.js';
import { SseResponseWriter } from './sse-response-writer.js';

/** A real HTTP server whose handler hands each request's writer to the test. */
async function serve(): Promise<{ server: Server; url: string; next: () => Promise<SseResponseWriter> }> {
  const scheduler = new FlushScheduler();
  const waiting: ((writer: SseResponseWriter) => void)[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    waiting.shift()?.(new SseResponseWriter(request, response, scheduler));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const next = () => new Promise<SseResponseWriter>((resolve) => waiting.push(resolve));
  return { server, url: `http://127.0.0.1:${port}/`, next };
}

describe('SseResponseWriter', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('closes only its own stream when a frame cannot be written; the process and other streams go on', async () => {
    const served = await serve();
    server = served.server;
    const [broken, healthy] = await Promise.all([
      (async () => {
        const writer = served.next();
        const response = fetch(served.url);
        return { writer: await writer, response };
      })(),
      (async () => {
        const writer = served.next();
        const response = fetch(served.url);
        return { writer: await writer, response };
      })(),
    ]);
    // Data that is not text cannot be framed: the flush (run by the scheduler, where nothing
    // would catch it) fails for this stream.
    broken.writer.send({ id: '1-0', type: 'x', data: 42 as unknown as string });
    healthy.writer.send({ id: '1-0', type: 'x', data: 'fine' });
    await expect(broken.response.then((r) => r.text())).rejects.toThrow();
    const reply = await healthy.response;
    const reader = reply.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('event: x\nid: 1-0\ndata: fine\n\n');
    expect(broken.writer.closed).toBe(true);
    expect(healthy.writer.closed).toBe(false);
    healthy.writer.end();
    await reader.cancel();
  });

  it('reports itself backed up once a turn has sent a batch, and calls a waiter after the flush', async () => {
    const served = await serve();
    server = served.server;
    const writer = served.next();
    const response = fetch(served.url);
    const sink = await writer;
    const frame = (n: number): StreamMessage => ({ id: `${n}-0`, type: 'x', data: 'y'.repeat(64 * 1024) });
    let n = 0;
    while (!sink.isBackedUp()) sink.send(frame(++n));
    // About 256 KiB per write, whatever a turn sends.
    expect(n).toBeLessThanOrEqual(5);
    const drained = new Promise<void>((resolve) => sink.onceDrained(resolve));
    await drained;
    sink.end();
    const text = await (await response).text();
    expect(text.split('\n\n').length - 1).toBe(n);
  });
});
