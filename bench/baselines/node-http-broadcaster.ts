/**
 * Baseline 1: the least a Node SSE broadcaster can do. Plain `node:http`, the hub's route shapes
 * and wire format, JWT verified on every request (so set-up rates compare fairly), and each
 * event's frame encoded once and written to every matching response. No history, no queue bounds,
 * no heartbeats, no backpressure handling: a floor, not a product.
 */
import { createSecretKey, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';

const port = Number(process.env.PORT ?? 3000);
// A KeyObject, as the hub uses: jsonwebtoken verifies a string secret ~10x slower.
const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? ''));
const retryMs = Number(process.env.SSE_RETRY_MS ?? 3000);
const MAX_BODY_BYTES = 64 * 1024;
const EVENT_TYPE = /^[A-Za-z0-9_\-.:]{1,64}$/;

const everyone = new Set<ServerResponse>();
const byClient = new Map<string, Set<ServerResponse>>();
let lastId = 0;

interface Claims {
  sub?: unknown;
  roles?: unknown;
}

function verify(request: IncomingMessage): Claims | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  try {
    const claims = jwt.verify(header.slice(7), secret, { algorithms: ['HS256'] });
    return typeof claims === 'object' && typeof claims.sub === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function openStream(request: IncomingMessage, response: ServerResponse, clientId: string): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  request.socket.setNoDelay(true);
  request.socket.setTimeout(0);
  const greeting = JSON.stringify({ clientId, connectionId: randomUUID() });
  response.write(`retry: ${retryMs}\nid: ${lastId}\nevent: connected\ndata: ${greeting}\n\n`);
  everyone.add(response);
  let own = byClient.get(clientId);
  if (!own) byClient.set(clientId, (own = new Set()));
  own.add(response);
  response.on('close', () => {
    everyone.delete(response);
    own.delete(response);
    if (own.size === 0) byClient.delete(clientId);
  });
}

/** The frame of an event, encoded once; objects as JSON, one `data:` line per line. */
function frame(event: string, data: unknown): Buffer {
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return Buffer.from(`id: ${++lastId}\nevent: ${event}\n${lines}\n`);
}

function publish(
  request: IncomingMessage,
  response: ServerResponse,
  targets: Iterable<ServerResponse>,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > MAX_BODY_BYTES)
      return json(response, 413, { statusCode: 413, error: 'Payload Too Large' });
    let body: { event?: unknown; data?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return json(response, 400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid JSON',
      });
    }
    if (typeof body.event !== 'string' || !EVENT_TYPE.test(body.event)) {
      return json(response, 400, { statusCode: 400, error: 'Bad Request', message: 'bad event' });
    }
    const bytes = frame(body.event, body.data);
    let delivered = 0;
    for (const target of targets) {
      target.write(bytes);
      delivered++;
    }
    json(response, 202, { id: String(lastId), delivered });
  });
}

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (url === '/health') return json(response, 200, { status: 'ok' });
  const claims = verify(request);
  if (!claims) return json(response, 401, { statusCode: 401, error: 'Unauthorized' });
  const clientId = claims.sub as string;
  if (request.method === 'GET' && (url === '/sse' || url.startsWith('/sse?'))) {
    return openStream(request, response, clientId);
  }
  if (request.method === 'POST' && url.startsWith('/notifications/')) {
    if (!Array.isArray(claims.roles) || !claims.roles.includes('publisher')) {
      return json(response, 403, { statusCode: 403, error: 'Forbidden' });
    }
    if (url === '/notifications/broadcast') return publish(request, response, everyone);
    const client = /^\/notifications\/clients\/([^/?]+)$/.exec(url);
    if (client) {
      return publish(request, response, byClient.get(decodeURIComponent(client[1])) ?? []);
    }
  }
  json(response, 404, { statusCode: 404, error: 'Not Found' });
});

server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  everyone.forEach((response) => response.end());
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
