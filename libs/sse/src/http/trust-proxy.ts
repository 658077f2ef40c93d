import proxyAddress from 'proxy-addr';

/** Which proxies to believe about the client's address, in the values Express's `trust proxy` takes. */
export type TrustProxySetting = boolean | number | string | readonly string[];

/**
 * Checks a `trustProxy` value as Express would compile it (`true`, a hop count, `loopback`,
 * `uniquelocal`, addresses and CIDRs, comma-separated or as a list).
 * @returns the problem, or undefined when Express can use it
 */
export function trustProxyProblem(value: TrustProxySetting): string | undefined {
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? undefined : 'a hop count must be a non-negative integer';
  }
  const list = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : [...value];
  try {
    proxyAddress.compile(list);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
