/** The brokers the HTTP suites run against (describe.each over this list). */
export type Broker = 'memory' | 'redis';

export const BROKERS: readonly Broker[] = ['memory', 'redis'];
