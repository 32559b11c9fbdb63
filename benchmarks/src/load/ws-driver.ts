/**
 * Orders sent as in the REST driver, timed until the account's user-data stream
 * (`/ws/<listenKey>`) delivers the order's first ORDER_TRADE_UPDATE: the latency a
 * REST trading program sees from deciding to send until the stream confirms it
 * (NEW, TRADE or EXPIRED; orders over the WebSocket API: ws-order-driver.ts). Recorded
 * as `make→update` / `take→update` beside the REST answers (`make`, `take`,
 * `cancel`).
 *
 * An update may arrive before the REST answer (the core's events are published
 * before the reply is written): the pending entry is registered before sending. A
 * refused order never gets an update: its stream operation ends `rejected` with
 * the REST code. One left pending at the end is an error (`no update`).
 */
import WebSocket from 'ws';
import type { LatencyRecorder } from './latency-recorder.js';
import type { OrderFlow, OrderIntent, MarketView } from './order-flow.js';
import { RestDriver } from './rest-driver.js';
import { isLoopback, loopbackAddress } from './signed-rest.js';

interface Pending {
  readonly op: string;
  readonly intendedMs: number;
}

const streamOp = (op: string) => `${op}→update`;

export class WsDriver extends RestDriver {
  override readonly describe = 'WebSocket user-data stream: signed REST order → first ORDER_TRADE_UPDATE on /ws/<listenKey>';
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private closedStreams = 0;
  private recorder: LatencyRecorder | undefined;

  override async setup(accounts: number): Promise<readonly MarketView[]> {
    const markets = await super.setup(accounts);
    const loopback = isLoopback(this.options.base);
    await Promise.all(
      this.clients.map(async (client, i) => {
        const answer = await client.plain('POST', '/fapi/v1/listenKey');
        if (answer.status !== 200) throw new Error(`listenKey: ${answer.status} ${answer.body.slice(0, 200)}`);
        const { listenKey } = JSON.parse(answer.body) as { listenKey: string };
        const url = new URL(`/ws/${listenKey}`, this.options.base);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        const ws = new WebSocket(url, loopback ? { localAddress: loopbackAddress(i) } : {});
        ws.on('message', (data: Buffer) => this.onUserEvent(data));
        ws.on('close', () => this.closedStreams++);
        ws.on('error', () => undefined); // a stream that fails closes: counted in userStreamsClosedByServer, its orders end 'no update'
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        this.sockets.push(ws);
      }),
    );
    return markets;
  }

  override operations(intent: OrderIntent): readonly string[] {
    return intent.op === 'cancel' ? ['cancel'] : [intent.op, streamOp(intent.op)];
  }

  override async execute(intent: OrderIntent, intendedMs: number, recorder: LatencyRecorder, flow: OrderFlow): Promise<void> {
    this.recorder = recorder; // the stream's callbacks record into the run's recorder
    if (intent.op !== 'cancel') this.pending.set(intent.clientOrderId, { op: streamOp(intent.op), intendedMs });
    const answer = await this.send(intent).catch((error: Error) => error);
    const refusal = this.record(intent, intendedMs, answer, recorder, flow);
    if (intent.op === 'cancel' || refusal === '') return;
    const waiting = this.pending.get(intent.clientOrderId);
    if (waiting === undefined) return; // the update came first
    this.pending.delete(intent.clientOrderId);
    const latencyUs = (performance.now() - intendedMs) * 1000;
    if (refusal === null) recorder.done(waiting.op, 'error', latencyUs, 'order not answered');
    else recorder.done(waiting.op, 'rejected', latencyUs, refusal);
  }

  override finish(recorder: LatencyRecorder): void {
    for (const p of this.pending.values()) recorder.done(p.op, 'error', (performance.now() - p.intendedMs) * 1000, 'no update');
    this.pending.clear();
  }

  override observed(): Record<string, number> {
    return { ...super.observed(), userStreamsClosedByServer: this.closedStreams };
  }

  override async close(): Promise<void> {
    for (const ws of this.sockets) ws.close();
    await super.close();
  }

  private onUserEvent(data: Buffer): void {
    const event = JSON.parse(data.toString('utf8')) as { e?: string; o?: { c?: string } };
    if (event.e !== 'ORDER_TRADE_UPDATE' || event.o?.c === undefined) return;
    const p = this.pending.get(event.o.c);
    if (p === undefined || this.recorder === undefined) return;
    this.pending.delete(event.o.c);
    this.recorder.done(p.op, 'ok', (performance.now() - p.intendedMs) * 1000);
  }
}
