/** The brokers the HTTP suites run against (describe.each over this list). */
export type Broker = 'memory' | 'redis' | 'postgres';

const KNOWN: readonly Broker[] = ['memory', 'redis', 'postgres'];

/**
 * `memory` and `redis` by default. PostgreSQL is left out of the default list (each suite would
 * run a third time; the postgres-*.e2e-spec.ts suites cover it); `TEST_BROKERS=postgres` (or
 * `memory,redis,postgres`) runs the HTTP suites on it too.
 */
export const BROKERS: readonly Broker[] = process.env.TEST_BROKERS
  ? process.env.TEST_BROKERS.split(',').map((name) => {
      if (!KNOWN.includes(name.trim() as Broker)) throw new Error(`TEST_BROKERS: unknown broker "${name}"`);
      return name.trim() as Broker;
    })
  : ['memory', 'redis'];
