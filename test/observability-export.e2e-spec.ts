import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAppOnce, removeBuild, startChildApp, type ChildApp } from './helpers/child-app.js';
import { request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

jest.setTimeout(180_000);

/** What the app's JSON logger writes: one object per line. */
interface LogLine {
  readonly level: string;
  readonly context?: string;
  readonly message: unknown;
}

/** An access log entry, as the JSON log carries it under `message`. */
interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly clientId?: string;
  readonly traceId?: string;
}

/**
 * The reference app as `npm start` runs it, with `LOG_FORMAT=json` and an OTLP endpoint: what the
 * person on call reads (its log lines) and what a tracing backend receives (a stand-in collector
 * on the loopback, which records every OTLP/HTTP export).
 */
describe('The running app: JSON logs and OTLP trace export', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const secretToken = token({ sub: 'logan' });
  const exports: string[] = [];
  let collector: Server;
  let outDir: string;
  let app: ChildApp;

  const jsonLines = (): LogLine[] =>
    app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const accessEntries = (): AccessEntry[] =>
    jsonLines()
      .filter((line) => line.context === 'HTTP')
      .map((line) => line.message as AccessEntry);

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        exports.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    outDir = buildAppOnce('observability');
    app = await startChildApp(outDir, {
      LOG_FORMAT: 'json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'sse-hub-e2e',
    });
  });
  afterAll(async () => {
    if (app && app.process.exitCode === null) {
      app.process.kill('SIGTERM');
      await app.exited;
    }
    await new Promise((resolve) => collector?.close(resolve));
    if (outDir) removeBuild(outDir);
  });

  it('logs one JSON line per request with method, redacted path, status, duration, client and trace id, and never the token', async () => {
    const stream = await connect(`${app.url}/sse?topic=logs&token=${secretToken}`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    const published = await request(app.url, 'POST', '/notifications/topics/logs', {
      token: publisherToken('log-publisher'),
      body: { event: 'logged', data: 1 },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(published.status).toBe(202);
    await stream.waitForEvents('logged', 1);
    stream.close();

    const [streamLine, publishLine] = await waitFor(
      () => {
        const entries = accessEntries();
        const streamEntry = entries.find((entry) => entry.path.startsWith('/sse?'));
        const publishEntry = entries.find((entry) => entry.path === '/notifications/topics/logs');
        return streamEntry && publishEntry && [streamEntry, publishEntry];
      },
      { what: 'access log lines for the stream and the publish' },
    );

    expect(streamLine).toEqual({
      method: 'GET',
      path: '/sse?topic=logs&token=[REDACTED]',
      status: 200,
      finished: expect.any(Boolean),
      durationMs: expect.any(Number),
      address: expect.stringMatching(/127\.0\.0\.1$/),
      clientId: 'logan',
      traceId,
    });
    expect(publishLine).toMatchObject({
      method: 'POST',
      status: 202,
      address: expect.stringMatching(/127\.0\.0\.1$/),
      clientId: 'log-publisher',
      traceId,
    });
    const untraced = await request(app.url, 'GET', '/health');
    expect(untraced.status).toBe(200);
    const healthLine = await waitFor(() =>
      accessEntries().find((entry) => entry.path === '/health'),
    );
    expect(healthLine.traceId).toBeUndefined();
    expect(healthLine.clientId).toBeUndefined();

    // Every line the app wrote is JSON, and the token is in none of them.
    const written = app
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(written.every((line) => line.startsWith('{'))).toBe(true);
    expect(app.output()).not.toContain(secretToken);
  });

  it("exports the publish and fan-out spans with OTLP, in the publisher's trace", async () => {
    const received = await waitFor(
      () => {
        const all = exports.join('\n');
        return all.includes('sse.publish') && all.includes('sse.fanout') && all;
      },
      { timeoutMs: 15_000, what: 'OTLP exports with the publish and fan-out spans' },
    );
    expect(exports.every((body) => body.startsWith('POST /v1/traces '))).toBe(true);
    expect(received).toContain(traceId);
    expect(received).toContain('sse-hub-e2e');
  });
});
