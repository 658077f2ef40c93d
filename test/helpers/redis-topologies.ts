import { execFile } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrivateRedisServer } from './redis-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** The name the test Sentinels monitor the primary under. */
export const SENTINEL_NAME = 'sse-test-primary';

/** Asks one private Redis (or Sentinel) something with redis-cli; resolves with its answer. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/**
 * A TCP pass-through for a replica's link to its primary that the test can freeze: while frozen
 * nothing crosses it (what crosses is dropped, as if the network lost it), so the primary goes on
 * acknowledging writes that no replica has: replication lagging behind.
 */
export class ReplicationLink {
  private constructor(
    private readonly server: Server,
    private readonly state: { frozen: boolean; readonly open: Set<Socket> },
    readonly port: number,
  ) {}

  static async start(primaryPort: number): Promise<ReplicationLink> {
    const state = { frozen: false, open: new Set<Socket>() };
    const server = createServer((replica) => {
      const primary = connect(primaryPort, '127.0.0.1');
      for (const [from, to] of [
        [replica, primary],
        [primary, replica],
      ]) {
        state.open.add(from);
        from.on('data', (chunk) => state.frozen || to.write(chunk));
        from.on('error', () => undefined);
        from.on('close', () => to.destroy());
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ReplicationLink(server, state, (server.address() as { port: number }).port);
  }

  freeze(): void {
    this.state.frozen = true;
  }

  close(): Promise<void> {
    this.state.open.forEach((socket) => socket.destroy());
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A primary, replicas and three Sentinels (quorum 2), all private processes on free ports: what
 * production runs behind Sentinel, with a failover that takes about a second and a half once the
 * primary is gone (down-after 1 s). Each replica replicates through a `ReplicationLink`, so a
 * test can make replication lag.
 */
export class SentinelGroup {
  private constructor(
    readonly primary: PrivateRedisServer,
    readonly replicas: PrivateRedisServer[],
    readonly links: ReplicationLink[],
    readonly sentinels: PrivateRedisServer[],
    private readonly dir: string,
  ) {}

  static async start(replicaCount = 2): Promise<SentinelGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'sse-sentinel-'));
    const primary = await PrivateRedisServer.start(() => ['--dir', dir]);
    const links = await Promise.all(Array.from({ length: replicaCount }, () => ReplicationLink.start(primary.port)));
    const replicas = await Promise.all(
      // A replica keeps the copy it loads in its --dir: the test's folder, not the working tree.
      links.map((link) => PrivateRedisServer.start((port) => [
          '--replicaof', '127.0.0.1', String(link.port), '--dir', dir, '--dbfilename', `replica-${port}.rdb`,
        ]),
      ),
    );
    await waitFor(
      async () => (await redisCli(primary.port, 'INFO', 'replication')).includes(`connected_slaves:${replicaCount}`),
      { timeoutMs: 10_000, intervalMs: 100, what: 'the replicas to connect to the primary' },
    );
    const sentinels: PrivateRedisServer[] = [];
    for (let index = 0; index < 3; index++) {
      sentinels.push(
        await PrivateRedisServer.start((port) => {
          const config = join(dir, `sentinel-${port}.conf`);
          writeFileSync(
            config,
            [
              `port ${port}`,
              'bind 127.0.0.1',
              `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primary.port} 2`,
              `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
              `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
              `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
              '',
            ].join('\n'),
          );
          return [config, '--sentinel'];
        }),
      );
    }
    const group = new SentinelGroup(primary, replicas, links, sentinels, dir);
    // Every Sentinel knows the replicas and the other Sentinels before a test kills anything.
    await waitFor(
      async () => {
        for (const sentinel of sentinels) {
          const master = await redisCli(sentinel.port, 'SENTINEL', 'MASTER', SENTINEL_NAME);
          const field = (name: string) => Number(master.split('\n')[master.split('\n').indexOf(name) + 1]);
          if (field('num-slaves') < replicaCount || field('num-other-sentinels') < 2) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the Sentinels to find the replicas and each other' },
    );
    return group;
  }

  /** The Sentinels' addresses, as the module's `redis.sentinels` takes them. */
  get addresses(): { host: string; port: number }[] {
    return this.sentinels.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** `REDIS_SENTINELS` for the reference app. */
  get env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinels.map(({ port }) => `127.0.0.1:${port}`).join(','),
      REDIS_SENTINEL_NAME: SENTINEL_NAME,
    };
  }

  /** The port of the server the Sentinels currently call the primary. */
  async primaryPort(): Promise<number> {
    const [, port] = (await redisCli(this.sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)).split('\n');
    return Number(port);
  }

  /** Replication stops reaching the replicas (the primary does not know). */
  freezeReplication(): void {
    this.links.forEach((link) => link.freeze());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.replicas, this.primary].map((server) => server.stop()));
    await Promise.all(this.links.map((link) => link.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Redis Cluster of three primaries (no replicas), private processes on free ports, created
 * with `redis-cli --cluster create` and ready (cluster_state:ok on every node) when this resolves.
 */
export class PrivateRedisCluster {
  private constructor(
    readonly nodes: PrivateRedisServer[],
    private readonly dir: string,
  ) {}

  static async start(size = 3): Promise<PrivateRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'sse-cluster-'));
    const nodes = await Promise.all(
      Array.from({ length: size }, () =>
        PrivateRedisServer.start((port) => [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '2000',
          '--dir', dir,
        ]),
      ),
    );
    const cluster = new PrivateRedisCluster(nodes, dir);
    try {
      await run('redis-cli', ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: 30_000,
      });
      await waitFor(
        async () => {
          for (const node of nodes) {
            if (!(await redisCli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          }
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'the cluster to be ok on every node' },
      );
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get addresses(): { host: string; port: number }[] {
    return this.nodes.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** `REDIS_CLUSTER_NODES` for the reference app. */
  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.nodes.map(({ port }) => `127.0.0.1:${port}`).join(',') };
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
