import type { SseRedisNode } from './sse-module-options.interface.js';

/**
 * What is wrong with a `redis` option (Sentinel or cluster), or undefined. Checked at start-up
 * like every option, so a typo fails there and names the option, not at the first publish.
 * Passwords are never echoed.
 */
export function redisTopologyProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return 'redis must be { sentinels, name } or { cluster }';
  }
  const topology = value as Record<string, unknown>;
  const kinds = ['sentinels', 'cluster'].filter((kind) => topology[kind] !== undefined);
  if (kinds.length !== 1) {
    return 'redis must give exactly one of sentinels (with name) and cluster';
  }
  const [kind] = kinds;
  const nodes = topology[kind];
  if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every(isNode)) {
    return `redis.${kind} must be a non-empty list of { host, port } (port 1-65535)`;
  }
  if (kind === 'sentinels' && !(typeof topology.name === 'string' && topology.name.length > 0)) {
    return 'redis.name must be the name Sentinel monitors the primary under';
  }
  for (const key of ['username', 'password', 'sentinelPassword'] as const) {
    if (topology[key] !== undefined && typeof topology[key] !== 'string') {
      return `redis.${key} must be a string`;
    }
  }
  if (topology.db !== undefined && !(Number.isInteger(topology.db) && (topology.db as number) >= 0)) {
    return 'redis.db must be a non-negative integer';
  }
  return undefined;
}

function isNode(node: unknown): node is SseRedisNode {
  const { host, port } = (node ?? {}) as Partial<SseRedisNode>;
  return typeof host === 'string' && host.length > 0 && Number.isInteger(port) && port! >= 1 && port! <= 65_535;
}
