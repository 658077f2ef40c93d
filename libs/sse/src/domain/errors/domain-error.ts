/**
 * Base of every error the domain raises. `code` is stable and is what callers and the HTTP layer
 * map on; the message is for people.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  protected constructor(message: string) {
    super(`sse-hub: ${message}`);
    this.name = new.target.name;
  }
}
