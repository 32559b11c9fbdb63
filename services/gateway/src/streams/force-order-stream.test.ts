import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import type { MatchingEventV1 } from '@perpcore/proto';
import { MarketDataModel } from '../market-data/market-data-model.js';
import { ManualClock } from '../test-support/manual-clock.test-support.js';
import { settle, WsClient } from '../test-support/ws-client.test-support.js';
import { StreamHub } from './stream-hub.js';
import { streamRoutes } from './ws-routes.js';

describe('forceOrder streams and a market-stream slow consumer', () => {
  const model = new MarketDataModel(defaultVenueMarkets(defaultMarketSpecs));
  const clock = new ManualClock();
  const hub = new StreamHub({ model, clock, limits: { maxBufferedBytes: 64 * 1024, maxPendingFrames: 1_000 } });
  let app: FastifyInstance;
  let ws = '';
  let seq = 0;
  let trade = 0;
  const ev = (e: Partial<MatchingEventV1>) => model.onMatchingEvent({ schemaMajor: 1, market: 'BTCUSDT', seq: ++seq, tsNs: 1_767_225_600_000_000_000, inputSource: 'l', inputSeq: seq, ...e } as MatchingEventV1);
  before(async () => {
    app = Fastify();
    await app.register(streamRoutes, { hub });
    ws = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  after(async () => app.close());

  it('a liquidation order reaches @forceOrder and !forceOrder@arr in Binance shape', async () => {
    const one = await WsClient.open(`${ws}/ws/btcusdt@forceOrder`);
    const all = await WsClient.open(`${ws}/stream?streams=!forceOrder@arr`);
    await settle();
    ev({ event: 'accepted', accepted: { orderId: 70, accountId: 9, side: 2, type: 1, timeInForce: 2, priceTicks: 290_000, qtyLots: 10, triggerPriceTicks: 0, reduceOnly: true, liquidationId: 5 } });
    ev({ event: 'filled', filled: { tradeSeq: ++trade, makerOrderId: 1, makerAccountId: 1, takerOrderId: 70, takerAccountId: 9, takerSide: 2, priceTicks: 299_990, qtyLots: 10, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 2, liquidationId: 5 } });
    const f = await one.next<{ e: string; o: Record<string, unknown> }>((x) => x.e === 'forceOrder');
    assert.deepEqual({ ...f.o, T: 0 }, { s: 'BTCUSDT', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '0.01', p: '29000', ap: '29999', X: 'FILLED', l: '0.01', z: '0.01', T: 0 });
    assert.equal((await all.next<{ stream: string; data: { e: string } }>((x) => x.stream === '!forceOrder@arr')).data.e, 'forceOrder');
    one.close();
    all.close();
  });

  it('a market-stream client that stops reading is closed 1008; the others keep their stream', async () => {
    const slow = await WsClient.open(`${ws}/ws/btcusdt@trade`);
    const healthy = await WsClient.open(`${ws}/ws/btcusdt@trade`);
    await settle();
    const raw = (slow.socket as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    // the healthy client reads as it goes; the slow one reads nothing, so once the kernel's
    // socket buffers are full its frames stay in the process, up to the bound
    for (let burst = 0; burst < 800; burst++) {
      for (let i = 0; i < 250; i++) {
        ev({ event: 'filled', filled: { tradeSeq: ++trade, makerOrderId: 1, makerAccountId: 1, takerOrderId: 2, takerAccountId: 2, takerSide: 1, priceTicks: 300_000, qtyLots: 1, makerRemainingLots: 1, takerRemainingLots: 1, fillType: 1, liquidationId: 0 } });
      }
      await settle(5);
      if (hub.sessionCount === 1) break;
    }
    assert.equal(hub.sessionCount, 1, 'the slow session was dropped');
    const lastTrade = trade;
    ev({ event: 'filled', filled: { tradeSeq: ++trade, makerOrderId: 1, makerAccountId: 1, takerOrderId: 2, takerAccountId: 2, takerSide: 1, priceTicks: 300_000, qtyLots: 1, makerRemainingLots: 1, takerRemainingLots: 1, fillType: 1, liquidationId: 0 } });
    assert.equal((await healthy.next((x) => x.t === lastTrade + 1)).e, 'trade');
    raw.resume();
    assert.equal(await slow.closed(10_000), 1008);
    healthy.close();
  });
});
