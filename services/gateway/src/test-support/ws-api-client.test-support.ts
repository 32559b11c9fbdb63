/** A Binance WebSocket API test client: signs params as Binance specifies (sorted, apiKey included) and waits for the reply of each id. */
import { createHmac } from 'node:crypto';
import type { TestKey } from '../gateway-test-server.test-support.js';
import { WsClient } from './ws-client.test-support.js';

export interface WsApiReplyFrame {
  id: string | number | null;
  status: number;
  result?: any;
  error?: { code: number; msg: string };
  rateLimits?: { rateLimitType: string; interval: string; intervalNum: number; limit: number; count: number }[];
}

export type ParamValue = string | number | boolean;

/** `params` with apiKey, timestamp, recvWindow and the signature of Binance's sorted `k=v&…` text. */
export function signParams(key: TestKey, params: Record<string, ParamValue>, secret = key.secret): Record<string, ParamValue> {
  const all: Record<string, ParamValue> = { apiKey: key.apiKey, timestamp: Date.now(), recvWindow: 10_000, ...params };
  const payload = Object.keys(all).sort().map((k) => `${k}=${String(all[k])}`).join('&');
  return { ...all, signature: createHmac('sha256', secret).update(payload).digest('hex') };
}

export class WsApiClient {
  private nextId = 1;

  private constructor(readonly ws: WsClient) {}

  static async open(base: string, query = ''): Promise<WsApiClient> {
    return new WsApiClient(await WsClient.open(`${base.replace('http://', 'ws://')}/ws-fapi/v1${query}`));
  }

  /** Sends a frame as given (any text) and waits for the reply with `id`. */
  async raw(frame: unknown, id: string | number | null): Promise<WsApiReplyFrame> {
    const seen = this.ws.frames.length;
    this.ws.send(frame);
    return this.ws.next<WsApiReplyFrame>((f) => f.id === id && this.ws.frames.indexOf(f) >= seen);
  }

  request(method: string, params: Record<string, ParamValue>): Promise<WsApiReplyFrame> {
    const id = `r${this.nextId++}`;
    return this.raw({ id, method, params }, id);
  }

  signed(key: TestKey, method: string, params: Record<string, ParamValue> = {}): Promise<WsApiReplyFrame> {
    return this.request(method, signParams(key, params));
  }

  close(): void {
    this.ws.close();
  }
}
