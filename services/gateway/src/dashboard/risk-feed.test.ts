import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultMarketSpecs } from '@perpcore/markets';
import { type LiquidationEventV1, perpcore, type RiskEventV1 } from '@perpcore/proto';
import { levelPercentText, RiskFeed, type RiskFeedItem } from './risk-feed.js';

const btc = defaultMarketSpecs.find((s) => s.symbol === 'BTCUSDT');
assert.ok(btc !== undefined);
const btcMarket = { spec: btc, subticksPerTick: 100 };
const marketOf = (symbol: string) => (symbol === 'BTCUSDT' ? btcMarket : undefined);

const level = (levelE8: number) => ({ equityUnits: '900', basisUnits: '1000', levelE8, marginCallLevelE8: 125_000_000, liquidationLevelE8: 100_000_000, triggerMarket: 'BTCUSDT', markSubticks: 2_600_012_345 });
const marginCall = (accountId: number, levelE8: number): RiskEventV1 =>
  perpcore.risk.v1.RiskEventV1.create({ schemaMajor: 1, seq: 1, tsNs: 1_767_225_660_000_000_000, accountId, event: 'marginCall', marginCall: { level: level(levelE8) } } as never) as RiskEventV1;

describe('the dashboard risk feed', () => {
  it('prints margin levels as exact percentages', () => {
    for (const [e8, text] of [
      [100_000_000, '100%'],
      [78_500_000, '78.5%'],
      [1, '0.000001%'],
      [-329_202_227, '-329.202227%'],
      [0, '0%'],
    ] as const) {
      assert.equal(levelPercentText(e8), text, `${e8}`);
    }
  });

  it('writes a margin call with the level, the lines and the trigger mark in the market’s decimals', () => {
    const seen: RiskFeedItem[] = [];
    const feed = new RiskFeed({ marketOf, onItem: (i) => seen.push(i) });
    feed.onRiskEvent(marginCall(10_001, 118_000_000));
    assert.deepEqual(seen, [
      {
        id: 1,
        kind: 'MARGIN_CALL',
        tsMs: 1_767_225_660_000,
        accountId: 10_001,
        market: 'BTCUSDT',
        // 2_600_012_345 subticks / 100 per tick = 26_000_123.45 ticks of 0.1
        text: 'margin call: margin level 118% (call 125%, liquidation 100%) on BTCUSDT mark 2600012.345',
      },
    ]);
    assert.equal(feed.totals.MARGIN_CALL, 1);
  });

  it('writes liquidations, fund takeovers and ADL legs; ignores every other event', () => {
    const feed = new RiskFeed({ marketOf });
    feed.onRiskEvent(
      perpcore.risk.v1.RiskEventV1.create({
        accountId: 10_002,
        tsNs: 2_000_000,
        event: 'liquidationTriggered',
        liquidationTriggered: { level: level(97_000_000), liquidationId: 7, positions: [{ market: 'BTCUSDT', positionLots: 1_500, bankruptcyPriceTicks: 251_234, markSubticks: 0, maintenanceUnits: 0 }] },
      } as never) as RiskEventV1,
    );
    feed.onLiquidationEvent(
      perpcore.liquidation.v1.LiquidationEventV1.create({
        accountId: 10_002,
        liquidationId: 7,
        tsNs: 3_000_000,
        event: 'insuranceTakeover',
        insuranceTakeover: { market: 'BTCUSDT', fundId: 'shared', positionLots: 500, fillPriceTicks: 251_234 },
      } as never) as LiquidationEventV1,
    );
    feed.onLiquidationEvent(
      perpcore.liquidation.v1.LiquidationEventV1.create({
        accountId: 10_003,
        liquidationId: 8,
        tsNs: 4_000_000,
        event: 'positionDeleveraged',
        positionDeleveraged: { market: 'BTCUSDT', counterpartyAccountId: 10_050, qtyLots: 20, fillPriceTicks: 250_000 },
      } as never) as LiquidationEventV1,
    );
    feed.onLiquidationEvent(
      perpcore.liquidation.v1.LiquidationEventV1.create({
        accountId: 10_004,
        liquidationId: 9,
        tsNs: 5_000_000,
        event: 'backstopTakeover',
        backstopTakeover: { market: 'BTCUSDT', liquidatorAccountId: 31_000, positionLots: -300, fillPriceTicks: 251_234 },
      } as never) as LiquidationEventV1,
    );
    feed.onRiskEvent(perpcore.risk.v1.RiskEventV1.create({ event: 'markPrice', markPrice: { markSubticks: 1 } } as never) as RiskEventV1);
    feed.onLiquidationEvent(perpcore.liquidation.v1.LiquidationEventV1.create({ event: 'fill', fill: { market: 'BTCUSDT' } } as never) as LiquidationEventV1);
    assert.deepEqual(
      feed.items().map((i) => [i.kind, i.accountId, i.text]),
      [
        ['LIQUIDATION', 10_002, 'liquidation #7: margin level 97% (call 125%, liquidation 100%) on BTCUSDT mark 2600012.345; BTCUSDT 1.5 (bankruptcy 25123.4)'],
        ['FUND_TAKEOVER', 10_002, 'fund shared took over 0.5 BTCUSDT at 25123.4 (liquidation #7)'],
        ['ADL', 10_003, 'ADL: account 10050 reduced by 0.02 BTCUSDT at 25000 against liquidation #8'],
        ['BACKSTOP_TAKEOVER', 10_004, 'backstop liquidator 31000 took over -0.3 BTCUSDT at 25123.4 (liquidation #9)'],
      ],
    );
    assert.deepEqual(feed.totals, { MARGIN_CALL: 0, LIQUIDATION: 1, BACKSTOP_TAKEOVER: 1, FUND_TAKEOVER: 1, ADL: 1 });
  });

  it('keeps only the newest items, oldest first, and answers from an id on', () => {
    const feed = new RiskFeed({ marketOf, capacity: 3 });
    for (let a = 1; a <= 5; a++) feed.onRiskEvent(marginCall(a, 120_000_000));
    assert.deepEqual(
      feed.items().map((i) => [i.id, i.accountId]),
      [
        [3, 3],
        [4, 4],
        [5, 5],
      ],
    );
    assert.deepEqual(
      feed.items(4).map((i) => i.id),
      [5],
    );
    assert.equal(feed.totals.MARGIN_CALL, 5, 'totals count what fell off the ring');
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) assert.throws(() => new RiskFeed({ marketOf, capacity }), RangeError, String(capacity));
  });
});
