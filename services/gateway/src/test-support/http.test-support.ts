/** Small HTTP helpers for the gateway's tests over real loopback sockets. */
export interface JsonReply {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function getJson(base: string, path: string, headers: Record<string, string> = {}): Promise<JsonReply> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

export async function sendJson(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<JsonReply> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: method === 'GET' ? undefined : '' });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
