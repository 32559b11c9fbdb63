import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { OrderType, TimeInForce } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type MatchingCommandV1, type MatchingEventV1, perpcore } from '@perpcore/proto';
import { createMatchingService } from './create-matching-service.js';
import { matchingServiceOptions } from './matching-process-options.js';
import { parseMatchingShard, splitMarkets } from './matching-shard.js';

const WireSide = perpcore.common.v1.Side;
const logger = createLogger('matching-shard-test', 'silent');

describe('matching shards', () => {
  it('reads i/M and refuses anything else, naming the variable', () => {
    assert.deepEqual(parseMatchingShard('0/1'), { index: 0, count: 1 });
    assert.deepEqual(parseMatchingShard('1/2'), { index: 1, count: 2 });
    for (const bad of ['2/2', '0/0', '-1/2', '1', '1/2/3', 'a/b', '', '0/65']) {
      assert.throws(() => parseMatchingShard(bad), /PERPCORE_MATCHING_SHARD must be i\/M/, bad);
    }
  });

  it('splits the listed markets by position, every market in exactly one shard, and refuses a shard with none', () => {
    const markets = ['A', 'B', 'C', 'D', 'E'];
    for (let count = 1; count <= markets.length; count++) {
      const booked = Array.from({ length: count }, (_, index) => splitMarkets(markets, { index, count }).booked);
      assert.deepEqual(booked.flat().sort(), markets, `${count} shards book every market once`);
      for (let index = 0; index < count; index++) {
        const { booked: mine, others } = splitMarkets(markets, { index, count });
        assert.deepEqual([...mine, ...others].sort(), markets);
        assert.ok(mine.every((m) => markets.indexOf(m) % count === index));
      }
    }
    assert.deepEqual(splitMarkets(['BTCUSDT', 'ETHUSDT'], { index: 1, count: 2 }), { booked: ['ETHUSDT'], others: ['BTCUSDT'] });
    assert.throws(() => splitMarkets(['BTCUSDT', 'ETHUSDT'], { index: 2, count: 3 }), /books no market: 2 listed, so at most 2 shards/);
  });

  it('two shards on one bus: each books its market, skips the other shard\'s commands, and an unknown market is refused once', async () => {
    const bus = new InProcessBus({ codecRoundTrip: true });
    const base = { markets: ['BTCUSDT', 'ETHUSDT'], book: 'fast' as const, accountEvents: 'false' as const, conflateMs: 20, sampleLevels: 0 };
    const shards = await Promise.all(
      [0, 1].map((i) => createMatchingService({ ...matchingServiceOptions({ ...base, groupId: `matching-${i}`, shard: `${i}/2` }), bus, logger })),
    );
    assert.deepEqual(shards.map((s) => s.engine.markets()), [['BTCUSDT'], ['ETHUSDT']]);
    const events: MatchingEventV1[] = [];
    await bus.subscribe(Topics.matchingEvents, { groupId: 'tap', fromBeginning: true }, (m) => void events.push(m.value));
    let seq = 0;
    const place = (market: string, orderId: number, side: number, priceTicks: number) =>
      bus.publish(Topics.matchingCommands, {
        schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++seq, tsNs: 1_000 + seq, source: 'risk-0', command: 'place',
        place: {
          orderId, accountId: orderId, side, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks, qtyLots: 2,
          triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0,
        },
      } as unknown as MatchingCommandV1);
    place('BTCUSDT', 1, WireSide.SIDE_SELL, 1_000_000);
    place('ETHUSDT', 2, WireSide.SIDE_SELL, 30_000);
    place('BTCUSDT', 3, WireSide.SIDE_BUY, 1_000_000);
    place('ETHUSDT', 4, WireSide.SIDE_BUY, 30_000);
    place('DOGEUSDT', 5, WireSide.SIDE_BUY, 1);
    await bus.flush();

    const fills = events.filter((e) => e.event === 'filled').map((e) => [e.market, e.filled?.makerAccountId, e.filled?.takerAccountId]);
    assert.deepEqual(fills, [['BTCUSDT', 1, 3], ['ETHUSDT', 2, 4]], 'one fill per market, from the shard that books it');
    assert.deepEqual(shards.map((s) => s.otherShardCommands), [2, 3], "each shard skipped the other's two commands; shard 1 the unknown market too");
    assert.deepEqual(shards.map((s) => s.engine.commandsApplied), [2, 2]);
    const rejects = events.filter((e) => e.event === 'rejected').map((e) => e.market);
    assert.deepEqual(rejects, ['DOGEUSDT'], 'an unknown market is refused once, by shard 0, as by one matching process');
    assert.equal(bus.deadLetters(Topics.matchingCommands.name).length, 1);
    for (const s of shards) await s.close();
    await bus.close();
  });
});
