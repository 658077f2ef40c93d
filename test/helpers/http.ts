/**
 * A parsed JSON body. Tests read whatever fields they assert on, so the default is loose on
 * purpose; the assertions check the shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

export interface JsonResponse<T = AnyJson> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/** A JSON request with a bearer token, for routes that end (streams use the SSE reader). */
export async function request<T = AnyJson>(
  baseUrl: string,
  method: string,
  path: string,
  {
    token,
    body,
    headers = {},
  }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed as T, text };
}

export const publish = (
  baseUrl: string,
  token: string,
  path: string,
  event: string,
  data: unknown,
) =>
  request<{ id: string; delivered: number }>(baseUrl, 'POST', `/notifications/${path}`, {
    token,
    body: { event, data },
  });
