import type { SseRedisNode, SseRedisTopology } from 'nestjs-sse-hub';

/**
 * The Redis topology from the environment, when it is more than one server:
 * `REDIS_SENTINELS` (`host:port,...`) with `REDIS_SENTINEL_NAME`, or `REDIS_CLUSTER_NODES`
 * (`host:port,...`); `REDIS_PASSWORD` (and `REDIS_SENTINEL_PASSWORD`) for either. Neither set:
 * undefined, and `REDIS_URL` says where the one server is. Both set, or a malformed list, fails
 * start-up with the variable named.
 */
export function redisTopologyFromEnv(env: NodeJS.ProcessEnv): SseRedisTopology | undefined {
  const sentinels = env.REDIS_SENTINELS?.trim();
  const cluster = env.REDIS_CLUSTER_NODES?.trim();
  if (sentinels && cluster) {
    throw new Error('sse-hub: set REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  }
  const password = env.REDIS_PASSWORD || undefined;
  if (sentinels) {
    const name = env.REDIS_SENTINEL_NAME?.trim();
    if (!name) {
      throw new Error('sse-hub: REDIS_SENTINEL_NAME (the name Sentinel monitors the primary under) is required with REDIS_SENTINELS');
    }
    return {
      sentinels: nodesFromEnv(sentinels, 'REDIS_SENTINELS'),
      name,
      password,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined,
    };
  }
  if (cluster) {
    return { cluster: nodesFromEnv(cluster, 'REDIS_CLUSTER_NODES'), password };
  }
  return undefined;
}

/** `host:port,host:port` (IPv6 hosts in brackets: `[::1]:6379`). */
function nodesFromEnv(raw: string, name: string): SseRedisNode[] {
  return raw.split(',').map((entry) => {
    const match = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(entry.trim());
    const port = Number(match?.[2]);
    if (!match || !(port >= 1 && port <= 65_535)) {
      throw new Error(`sse-hub: ${name} must be a comma-separated list of host:port (got "${entry.trim()}")`);
    }
    return { host: match[1], port };
  });
}
