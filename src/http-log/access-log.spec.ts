import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLog } from './access-log.js';

describe('accessLog', () => {
  const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig';
  let lines: string[];

  beforeEach(() => {
    lines = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  });
  afterEach(() => jest.restoreAllMocks());

  function request(url: string): IncomingMessage {
    return {
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${secret}`, cookie: `sse_token=${secret}` },
    } as unknown as IncomingMessage;
  }
  const response = (fields: object) => Object.assign(new EventEmitter(), fields) as unknown as ServerResponse;

  it('logs method, redacted URL, status and duration when the response closes, never the token', () => {
    const res = response({ statusCode: 200, writableFinished: true });
    const next = jest.fn();
    accessLog('text')(request(`/sse?topic=news&token=${secret}`), res, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([]);
    res.emit('close');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/sse\?topic=news&token=\[REDACTED\] 200 \d+ms$/);
    expect(lines.join()).not.toContain(secret);
  });

  it('says when the response closed before it finished', () => {
    const res = response({ statusCode: 200, writableFinished: false });
    accessLog('text')(request('/sse'), res, () => undefined);
    res.emit('close');
    expect(lines).toEqual([expect.stringMatching(/^GET \/sse 200 \(closed early\) \d+ms$/)]);
  });

  it('logs the URL as it arrived, even when a router rewrites it afterwards', () => {
    const req = request('/admin/publish?token=x');
    const res = response({ statusCode: 204, writableFinished: true });
    accessLog('text')(req, res, () => (req.url = '/'));
    res.emit('close');
    expect(lines).toEqual([expect.stringMatching(/^GET \/admin\/publish\?token=\[REDACTED\] 204 \d+ms$/)]);
  });

  it('in JSON mode logs the entry as an object, with the trace id of a valid traceparent and no token', () => {
    const entries: unknown[] = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((entry: unknown) => void entries.push(entry));
    const req = {
      method: 'POST',
      url: `/notifications/broadcast?token=${secret}`,
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    } as unknown as IncomingMessage;
    const res = response({ statusCode: 202, writableFinished: true });
    accessLog('json')(req, res, () => undefined);
    res.emit('close');

    expect(entries).toEqual([
      {
        method: 'POST',
        path: '/notifications/broadcast?token=[REDACTED]',
        status: 202,
        finished: true,
        durationMs: expect.any(Number),
        clientId: undefined,
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('ignores a traceparent that is not a valid W3C one', () => {
    const res = response({ statusCode: 200, writableFinished: true });
    const req = { method: 'GET', url: '/health', headers: { traceparent: '00-0000-bad-01' } } as unknown as IncomingMessage;
    accessLog('text')(req, res, () => undefined);
    res.emit('close');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/health 200 \d+ms$/);
  });
});
