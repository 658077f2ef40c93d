/**
 * Query parameters whose values are never logged. `token` is where EventSource clients put their
 * JWT (it cannot set headers); Express's parser also reads `token[0]=…` as `token`, so a name
 * counts with any bracket suffix, and it is compared after percent-decoding (`%74oken` too).
 */
const SECRET_PARAMETER = /^(token|access_token|sse_token|jwt)(\[.*\])?$/i;

export const REDACTED = '[REDACTED]';

/** The request URL as it may be logged: every secret query value replaced. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) {
    return url;
  }
  const query = url.slice(start + 1);
  const redacted = new URLSearchParams();
  let changed = false;
  for (const [name, value] of new URLSearchParams(query)) {
    const secret = SECRET_PARAMETER.test(name);
    changed ||= secret;
    redacted.append(name, secret ? REDACTED : value);
  }
  // Untouched URLs are logged as they came, so they stay greppable.
  return changed ? `${url.slice(0, start)}?${redacted.toString().replaceAll('%5BREDACTED%5D', REDACTED)}` : url;
}
