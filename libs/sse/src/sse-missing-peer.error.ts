/**
 * A feature was turned on whose optional peer package is not installed (`broker: 'redis'`
 * without `ioredis`, `metrics: true` without `prom-client`…). The message names the package and
 * the feature, so the fix is one `npm install` away.
 * @publicApi
 */
export class SseMissingPeerError extends Error {
  constructor(
    readonly packageName: string,
    readonly feature: string,
  ) {
    super(
      `sse-hub: ${feature} needs the package "${packageName}", which is not installed. ` +
        `Install it next to nestjs-sse-hub (npm install ${packageName}), or turn the feature off.`,
    );
    this.name = 'SseMissingPeerError';
  }
}
