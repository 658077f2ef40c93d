import { SseMissingPeerError } from './sse-missing-peer.error.js';

/**
 * Loads an optional peer package when the feature that needs it is turned on, and only then: an
 * app that never turns the feature on never needs the package installed. `load` is the literal
 * `() => import('<package>')`, so the compiler still types what it returns.
 * @throws SseMissingPeerError when the package is not installed
 */
export async function loadOptionalPeer<T>(
  packageName: string,
  feature: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) {
      throw new SseMissingPeerError(packageName, feature);
    }
    throw error;
  }
}

/**
 * Node says ERR_MODULE_NOT_FOUND (jest MODULE_NOT_FOUND) for any missing module, the package's
 * own broken imports included: only a message that names this package means it is absent.
 */
function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    (error.message.includes(`'${packageName}'`) || error.message.includes(`"${packageName}"`))
  );
}
