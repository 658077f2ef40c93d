import { request } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A `fetch` for GET requests whose connections leave from `localAddress` (any 127.x.y.z works on
 * Linux): many clients on one machine that a proxy sees as many addresses, as real users are.
 * Enough for the `eventsource` package (status, headers, a streamed body, abort).
 */
export function fetchFrom(localAddress: string): typeof fetch {
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const outgoing = request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          localAddress,
          agent: false,
          signal: init.signal ?? undefined,
        },
        (incoming) => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (typeof value === 'string') responseHeaders.set(name, value);
          }
          const body = Readable.toWeb(incoming) as ReadableStream<Uint8Array>;
          resolve(
            new Response(body, { status: incoming.statusCode ?? 0, headers: responseHeaders }),
          );
        },
      );
      outgoing.once('error', reject);
      outgoing.end();
    })) as typeof fetch;
}
