/** The brokers the HTTP suites run against (describe.each over this list). */
export type Broker = 'memory' | 'redis' | 'postgres';

/**
 * PostgreSQL is left out of the general list (each suite would run a third time); the
 * multi-instance and chaos suites run it (test/postgres-*.e2e-spec.ts).
 */
export const BROKERS: readonly Broker[] = ['memory', 'redis'];
