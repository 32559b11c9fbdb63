/**
 * The REST driver's orders (same flow, same accounts and setup) sent over the
 * gateway's WebSocket API instead: `order.place` (LIMIT GTC / IOC,
 * `newOrderRespType=RESULT`) and `order.cancel` on one `/ws-fapi/v1` socket per
 * account (its own loopback address, as the REST pools), signed as Binance's
 * WebSocket API specifies (every parameter but the signature, `apiKey` included,
 * sorted by name). Latency runs from the intended send time to the reply frame.
 * A socket the server closes fails its pending requests (`error`, socket closed).
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { formatSteps } from './decimal-steps.js';
import type { MarketView, OrderIntent } from './order-flow.js';
import { RestDriver } from './rest-driver.js';
import { isLoopback, loopbackAddress, RECV_WINDOW_MS, type RestAnswer, type RestKey } from './signed-rest.js';

interface WsApiReply {
  readonly id: string;
  readonly status: number;
  readonly result?: unknown;
  readonly error?: unknown;
}

interface Waiting {
  readonly account: number;
  readonly resolve: (answer: RestAnswer) => void;
  readonly reject: (error: Error) => void;
}

export class WsOrderDriver extends RestDriver {
  override readonly describe = 'WebSocket API: order.place (LIMIT GTC / IOC, RESULT) and order.cancel on /ws-fapi/v1, one socket per account';
  private readonly sockets: WebSocket[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private nextId = 1;
  private closedSockets = 0;

  override async setup(accounts: number): Promise<readonly MarketView[]> {
    const markets = await super.setup(accounts);
    const loopback = isLoopback(this.options.base);
    const url = new URL('/ws-fapi/v1?returnRateLimits=false', this.options.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    for (let i = 0; i < this.clients.length; i++) {
      const ws = new WebSocket(url, loopback ? { localAddress: loopbackAddress(i) } : {});
      ws.on('message', (data: Buffer) => this.onReply(data));
      ws.on('close', () => this.onClosed(ws));
      ws.on('error', () => undefined); // a failed socket closes: its requests end 'error'
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      this.sockets.push(ws);
    }
    return markets;
  }

  override observed(): Record<string, number> {
    return { ...super.observed(), wsApiSocketsClosedByServer: this.closedSockets };
  }

  override async close(): Promise<void> {
    for (const ws of this.sockets) ws.close();
    await super.close();
  }

  protected override send(intent: OrderIntent): Promise<RestAnswer> {
    const key = this.clients[intent.account]?.key;
    const ws = this.sockets[intent.account];
    if (key == null || ws === undefined || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('socket closed'));
    const m = intent.market;
    const params: Record<string, string> =
      intent.op === 'cancel'
        ? { symbol: m.symbol, orderId: String(intent.orderId) }
        : {
            symbol: m.symbol, side: intent.side, type: 'LIMIT', timeInForce: intent.op === 'make' ? 'GTC' : 'IOC',
            quantity: formatSteps(intent.qtyLots, m.lot), price: formatSteps(intent.priceTicks, m.tick),
            newClientOrderId: intent.clientOrderId, newOrderRespType: 'RESULT',
          };
    const id = String(this.nextId++);
    const frame = JSON.stringify({ id, method: intent.op === 'cancel' ? 'order.cancel' : 'order.place', params: signed(key, params) });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { account: intent.account, resolve, reject });
      ws.send(frame);
    });
  }

  private onReply(data: Buffer): void {
    const reply = JSON.parse(data.toString('utf8')) as WsApiReply;
    const w = this.waiting.get(reply.id);
    if (w === undefined) return;
    this.waiting.delete(reply.id);
    // the REST driver's bookkeeping reads an answer's status and body: the reply carries both
    w.resolve({ status: reply.status, body: JSON.stringify(reply.status === 200 ? reply.result : reply.error) });
  }

  private onClosed(ws: WebSocket): void {
    this.closedSockets++;
    const account = this.sockets.indexOf(ws);
    for (const [id, w] of this.waiting) {
      if (w.account !== account) continue;
      this.waiting.delete(id);
      w.reject(new Error('socket closed'));
    }
  }
}

/** `params` with apiKey, timestamp, the REST driver's recvWindow and Binance's WebSocket API HMAC signature. */
function signed(key: RestKey, params: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { ...params, apiKey: key.apiKey, timestamp: String(Date.now()), recvWindow: String(RECV_WINDOW_MS) };
  const payload = Object.keys(all).sort().map((k) => `${k}=${all[k] as string}`).join('&');
  return { ...all, signature: createHmac('sha256', key.secretKey).update(payload).digest('hex') };
}
