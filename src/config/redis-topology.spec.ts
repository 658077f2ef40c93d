import { redisTopologyFromEnv } from './redis-topology.js';

describe('the Redis topology from the environment', () => {
  it('is one server (REDIS_URL) unless Sentinels or cluster nodes are given', () => {
    expect(redisTopologyFromEnv({})).toBeUndefined();
    expect(redisTopologyFromEnv({ REDIS_URL: 'redis://h:1' })).toBeUndefined();
  });

  it('reads Sentinels with the primary name and the passwords', () => {
    expect(
      redisTopologyFromEnv({
        REDIS_SENTINELS: 's1:26379, s2:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'hub',
        REDIS_PASSWORD: 'pw',
      }),
    ).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'hub',
      password: 'pw',
      sentinelPassword: undefined,
    });
  });

  it('reads cluster nodes', () => {
    expect(redisTopologyFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' })).toEqual({
      cluster: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      password: undefined,
    });
  });

  it('refuses what would fail later, naming the variable', () => {
    expect(() => redisTopologyFromEnv({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
    expect(() => redisTopologyFromEnv({ REDIS_CLUSTER_NODES: 'n1' })).toThrow(/REDIS_CLUSTER_NODES must be .* host:port \(got "n1"\)/);
    expect(() => redisTopologyFromEnv({ REDIS_CLUSTER_NODES: 'n1:99999' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => redisTopologyFromEnv({ REDIS_CLUSTER_NODES: 'n1:1', REDIS_SENTINELS: 's:1' })).toThrow(/not both/);
  });
});
