/**
 * One JSON request to a server of ours at `base` (a simulator, mostly): the body sent as JSON when given, `headers`
 * added to the content type. Answers the status and the parsed body (none on a 204), typed loosely: the tests'
 * assertions check its shape.
 */
export async function requestJson(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the callers' assertions check the shape
): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

/** The bearer header of an API key. */
export const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });
