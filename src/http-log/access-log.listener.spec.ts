import type { HttpAdapterHost } from '@nestjs/core';
import { EventEmitter } from 'node:events';
import { AccessLog } from './access-log.listener.js';

/** A stand-in for the Node HTTP server, handed out the way Nest's adapter host does. */
function fakeServer(): { server: EventEmitter; adapterHost: HttpAdapterHost } {
  const server = new EventEmitter();
  const adapterHost = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
  return { server, adapterHost };
}

function accessLog(adapterHost: HttpAdapterHost): { log: AccessLog; lines: string[] } {
  const log = new AccessLog(adapterHost);
  const lines: string[] = [];
  (log as unknown as { logger: { log(line: string): void } }).logger.log = (line) => lines.push(line);
  return { log, lines };
}

describe('AccessLog', () => {
  const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig';

  function request(url: string): object {
    return { method: 'GET', url, headers: { authorization: `Bearer ${secret}`, cookie: `sse_token=${secret}` } };
  }

  it('logs method, redacted URL, status and duration when the response closes, never the token', () => {
    const { server, adapterHost } = fakeServer();
    const { log, lines } = accessLog(adapterHost);
    log.onApplicationBootstrap();
    const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true });

    server.emit('request', request(`/sse?topic=news&token=${secret}`), response);
    expect(lines).toEqual([]);
    response.emit('close');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/sse\?topic=news&token=\[REDACTED\] 200 \d+ms$/);
    expect(lines.join()).not.toContain(secret);
  });

  it('says when the response closed before it finished', () => {
    const { server, adapterHost } = fakeServer();
    const { log, lines } = accessLog(adapterHost);
    log.onApplicationBootstrap();
    const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: false });

    server.emit('request', request('/sse'), response);
    response.emit('close');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/sse 200 \(closed early\) \d+ms$/);
  });

  it('runs before the listeners already on the server, logs the URL as it arrived, and detaches on shutdown', () => {
    const { server, adapterHost } = fakeServer();
    const { log, lines } = accessLog(adapterHost);
    // Stands in for whatever else serves requests (Express, the stream route's own listener):
    // it notes whether the access log already watches the response, then rewrites the URL the
    // way Express does for a mounted router.
    const watchedBeforeOthers: number[] = [];
    server.on('request', (req: { url: string }, res: EventEmitter) => {
      watchedBeforeOthers.push(res.listenerCount('close'));
      req.url = '/';
    });
    log.onApplicationBootstrap();
    const response = Object.assign(new EventEmitter(), { statusCode: 204, writableFinished: true });

    server.emit('request', request('/admin/publish?token=x'), response);
    response.emit('close');

    expect(watchedBeforeOthers).toEqual([1]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/admin\/publish\?token=\[REDACTED\] 204 \d+ms$/);

    log.onApplicationShutdown();
    expect(server.listenerCount('request')).toBe(1);
    server.emit('request', request('/later'), Object.assign(new EventEmitter(), { statusCode: 200 }));
    expect(lines).toHaveLength(1);
  });
});
