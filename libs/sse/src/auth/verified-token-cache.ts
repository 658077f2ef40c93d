import type { ClientPrincipal } from '../domain/index.js';

/**
 * Principals of tokens verified recently, keyed by the whole token string (so a token that
 * differs in one character is verified afresh), least recently used dropped first. An entry is
 * used only until its token's `exp`, or the end of its allowed age, whichever comes first.
 *
 * Why: an EventSource reconnects with the same token after every network blip, and one jose
 * verify costs ~150 µs of CPU with HS256, ~230 µs with RS256 and ~400 µs with ES256 on the
 * benchmark machine (docs/benchmarks.md).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: ClientPrincipal; validUntil: number }>();

  constructor(private readonly capacity: number) {}

  get(token: string, now = Date.now()): ClientPrincipal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) {
      return undefined;
    }
    this.entries.delete(token);
    if (entry.validUntil <= now) {
      return undefined;
    }
    this.entries.set(token, entry); // most recently used last
    return entry.principal;
  }

  /** Keeps `principal` for `token` until `validUntil` (epoch ms); a past time keeps nothing. */
  set(token: string, principal: ClientPrincipal, validUntil: number, now = Date.now()): void {
    if (validUntil <= now || this.capacity === 0) {
      return;
    }
    this.entries.delete(token);
    if (this.entries.size >= this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, { principal, validUntil });
  }

  get size(): number {
    return this.entries.size;
  }
}
