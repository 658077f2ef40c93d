import { collectDefaultMetrics, Registry } from 'prom-client';

/** Token of the registry with prom-client's default process metrics (CPU, memory, event loop, GC). */
export const PROCESS_METRICS = Symbol('ProcessMetrics');

/**
 * The process's own figures, in a registry of this app's: prom-client's global registry would be
 * shared by every app in the process, and tests start many.
 */
export function createProcessMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
