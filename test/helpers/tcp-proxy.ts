import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** Base URL of the proxy, to use instead of the app's. */
  readonly url: string;
  /** Cuts every open connection, as a network blip would; new ones still go through. */
  cutAll(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` (http://host:port), so a test can drop connections at will.
 * `target` may be a function: each new connection goes where it points then, as a load balancer
 * would send it to whichever instance is up.
 */
export async function startTcpProxy(target: string | (() => string)): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const { hostname, port } = new URL(typeof target === 'function' ? target() : target);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cutAll: () => open.forEach((socket) => socket.destroy()),
    close: () =>
      new Promise((resolve) => {
        open.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
