import { request as httpRequest, type IncomingMessage } from 'node:http';
import { buildAppOnce, removeBuild, startChildApp, type ChildApp } from './helpers/child-app.js';
import { token } from './helpers/tokens.js';

/** What docs/protocol.md (streams end cleanly on shutdown) and the orchestrator allow for a clean exit. */
const EXIT_WITHIN_MS = 10_000;

interface RawStream {
  readonly response: IncomingMessage;
  readonly text: () => string;
  /** 'end' when the server finished the response properly (chunked terminator), 'aborted' otherwise. */
  readonly finished: Promise<'end' | 'aborted'>;
}

/** A stream read with node:http, so a clean end and a cut connection can be told apart. */
function openRawStream(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      const finished = new Promise<'end' | 'aborted'>((done) => {
        response.on('data', (chunk: string) => (text += chunk));
        response.once('end', () => done('end'));
        response.once('aborted', () => done('aborted'));
        response.once('error', () => done('aborted'));
      });
      resolve({ response, text: () => text, finished });
    });
    req.once('error', reject);
    req.end();
  });
}

/** Waits (bounded) until the stream's text matches. */
async function waitForText(stream: RawStream, pattern: RegExp, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(stream.text())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(stream.text())}`);
    await new Promise((resolve) =>
      stream.response.once('data', resolve).once('end', resolve).once('close', resolve),
    );
  }
}

describe('SIGTERM on `node dist/src/main.js`', () => {
  let outDir: string;
  let child: ChildApp | undefined;

  beforeAll(() => {
    outDir = buildAppOnce('shutdown');
  }, 180_000);

  afterAll(() => {
    child?.process.kill('SIGKILL');
    removeBuild(outDir);
  });

  it('ends every open stream cleanly and exits with 0 within 10 s, logging no token', async () => {
    child = await startChildApp(outDir);
    const secret = token({ sub: 'query-client' });
    const streams = await Promise.all([
      openRawStream(child.url, '/sse', {
        authorization: `Bearer ${token({ sub: 'header-client' })}`,
      }),
      openRawStream(child.url, `/sse?token=${secret}`),
    ]);
    for (const stream of streams) {
      expect(stream.response.statusCode).toBe(200);
      await waitForText(stream, /event: connected/);
    }

    const signalled = Date.now();
    child.process.kill('SIGTERM');

    // Each stream is finished by the server (its chunked body properly terminated), not cut, so
    // an EventSource treats it as an ordinary end and reconnects (to another instance).
    await expect(Promise.all(streams.map((stream) => stream.finished))).resolves.toEqual([
      'end',
      'end',
    ]);
    const exit = await Promise.race([
      child.exited,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`still running ${EXIT_WITHIN_MS} ms after SIGTERM`)),
          EXIT_WITHIN_MS,
        ).unref(),
      ),
    ]);
    const tookMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(EXIT_WITHIN_MS);

    // The access log saw the query-string token and redacted it.
    expect(child.output()).toContain('GET /sse?token=[REDACTED] 200');
    expect(child.output()).not.toContain(secret);
  }, 30_000);
});
