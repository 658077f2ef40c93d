import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessLogMiddleware } from './access-log.middleware.js';

describe('AccessLogMiddleware', () => {
  it('logs method, redacted URL, status and duration when the response closes, never the token', () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig';
    const middleware = new AccessLogMiddleware();
    const lines: string[] = [];
    (middleware as unknown as { logger: { log(line: string): void } }).logger.log = (line) => lines.push(line);
    const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true });
    const request = {
      method: 'GET',
      originalUrl: `/sse?topic=news&token=${secret}`,
      headers: { authorization: `Bearer ${secret}`, cookie: `sse_token=${secret}` },
    };
    let nextCalled = false;
    middleware.use(request as unknown as IncomingMessage, response as unknown as ServerResponse, () => {
      nextCalled = true;
    });
    expect(nextCalled).toBe(true);
    expect(lines).toEqual([]);
    response.emit('close');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/sse\?topic=news&token=\[REDACTED\] 200 \d+ms$/);
    expect(lines.join()).not.toContain(secret);
  });
});
