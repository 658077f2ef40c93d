import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared Redis that `.ci/run` starts. Tests use their own key prefix and never flush it. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses: `sse-test:<label>:<pid>:<random>`. */
export function uniqueRedisPrefix(label = 'run'): string {
  return `sse-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `{<prefix>}:` (the hub's keys) and nothing else (SCAN + UNLINK, never FLUSHDB). */
export async function deleteRedisPrefix(prefix: string, url = SHARED_REDIS_URL): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await forEachKeyBatch(redis, prefix, (keys) => redis.unlink(...keys));
  } catch {
    // A private server that is already gone has nothing left to delete.
  } finally {
    redis.disconnect();
  }
}

/** Counts the keys under `{<prefix>}:`. */
export async function countRedisKeys(prefix: string, url = SHARED_REDIS_URL): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let count = 0;
    await forEachKeyBatch(redis, prefix, async (keys) => {
      count += keys.length;
    });
    return count;
  } finally {
    redis.disconnect();
  }
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** Walks the keys under `{<prefix>}:` with SCAN, a non-empty batch at a time. */
async function forEachKeyBatch(
  redis: Redis,
  prefix: string,
  visit: (keys: string[]) => Promise<unknown>,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `{${escapeGlob(prefix)}}:*`,
      'COUNT',
      1000,
    );
    if (keys.length > 0) {
      await visit(keys);
    }
    cursor = next;
  } while (cursor !== '0');
}
