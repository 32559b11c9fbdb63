/**
 * A Binance-style REST client as a trading program has it: keep-alive sockets, the
 * signed parameters in a form body (or query), HMAC-SHA256 of `query + body` with
 * the key's secret, `X-MBX-APIKEY`, `timestamp` and `recvWindow`.
 *
 * Each account sends from its own source address when the server is on loopback
 * (127.0.x.y; Linux routes all of 127/8 to lo): the gateway limits weight per IP as
 * Binance does, so a thousand clients behind one address would be throttled as one.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface RestAnswer {
  readonly status: number;
  readonly body: string;
}

export interface RestKey {
  readonly apiKey: string;
  readonly secretKey: string;
}

export const RECV_WINDOW_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname.startsWith('127.') || url.hostname === '[::1]';
}

/** The n-th client address on loopback: 127.0.0.2, …, 127.0.0.254, 127.0.1.2, … (127.0.0.1 stays the operator's). */
export function loopbackAddress(n: number): string {
  return `127.0.${Math.floor(n / 253)}.${(n % 253) + 2}`;
}

export class SignedRest {
  private readonly agent: Agent;

  constructor(
    private readonly base: URL,
    public key: RestKey | null,
    sockets: number,
    localAddress: string | undefined,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, ...(localAddress === undefined ? {} : { localAddress }) });
  }

  /** A signed call: `params` go in the form body for POST/PUT/DELETE, in the query for GET. */
  signed(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params: string): Promise<RestAnswer> {
    if (this.key === null) throw new Error('signed call without an API key');
    const payload = `${params}${params === '' ? '' : '&'}timestamp=${Date.now()}&recvWindow=${RECV_WINDOW_MS}`;
    const signed = `${payload}&signature=${createHmac('sha256', this.key.secretKey).update(payload).digest('hex')}`;
    return method === 'GET' ? this.send(method, `${path}?${signed}`, undefined) : this.send(method, path, signed);
  }

  /** An unsigned call carrying the key (listenKey) or none (public market data). */
  plain(method: 'GET' | 'POST', path: string): Promise<RestAnswer> {
    return this.send(method, path, undefined);
  }

  /** The operator API (`/v1/admin`, bearer token, JSON), from this client's address (the gateway weighs every route per IP). */
  async admin(path: string, token: string, body: unknown): Promise<Record<string, unknown>> {
    const answer = await this.send('POST', path, JSON.stringify(body), { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    if (answer.status !== 200) throw new Error(`operator API ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
    return JSON.parse(answer.body) as Record<string, unknown>;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body: string | undefined, extraHeaders?: Record<string, string>): Promise<RestAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...extraHeaders };
      if (this.key !== null) headers['x-mbx-apikey'] = this.key.apiKey;
      if (body !== undefined) {
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = request({ host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
