/**
 * The stress query on a hand-computed book (BTCUSDT, index = mark, USDT 6 decimals,
 * lot 0.001 BTC, tick 0.1, taker fee 0.05% → 15 USDT on 1 BTC at 30,000):
 *
 *   alice  long 1 BTC at 30,000, 50×, WB 985    → at 28,800: E −215, MM 115.2: LIQUIDATING
 *   carol  long 1 BTC at 30,000, 25×, WB 1,285  → E 85 ≤ 115.2:            LIQUIDATING
 *   erin   long 1 BTC at 30,000, 25×, WB 1,330  → E 130 ≤ 1.25 × 115.2:    CALLED
 *   bob    long 1 BTC at 30,000, 10×, WB 4,985  → E 3,785:                 HEALTHY
 *   maker  short 4 BTC;   dave bids 0.6 BTC at 28,750.0 and 1 BTC at 28,700.0
 *
 * A −4% shock: mark 28,800.
 * - alice (taken first: her trigger is the highest): BPamount = 28,800 − (−215) =
 *   29,015 → BP 29,015.0, above every bid: no fill; the fund takes it over.
 * - carol: BPamount = 28,800 − 85 = 28,715 → BP 28,715.0; 600 lots fill at
 *   28,750.0 (17,250 USDT; surplus 17,250 − 0.6 × 28,715 = 21; fee min(215.625,
 *   21) = 21); 28,700.0 is below her limit. The 400 lots left: BPamount =
 *   11,520 − 85 × 46.08 / 115.2 = 11,486, taken over by the fund.
 * - fund (seed 60,000): wallet 60,021, long 1.4 BTC at cost 40,501, worth 40,320 at
 *   28,800: equity 59,840, a loss of 160 = 215 − 34 − 21.
 * With a seed of 20,000 the fund's net-notional limit (100% of its wallet)
 * refuses alice's 28,800 notional: ADL closes her 1,000 lots against maker's
 * short at BP 29,015.0, and the fund takes carol's rest (11,520 ≤ 20,021), so it gains 55.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RiskHarness, USDT, btcSubticks, btcTicks, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import { StressReject, StressRequestError } from './stress-request.js';

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const ERIN = 4;
const MAKER = 10;
const DAVE = 11;

const CAROL_TWIN = 5;

function crashBook(fundSeedUsdt: number, withCarolTwin = false): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig({ markMethod: 'INDEX' }), fundSeedUsdt * USDT));
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(MAKER, 1_000_000 * USDT);
  h.deposit(DAVE, 1_000_000 * USDT);
  const longs: [number, number, number][] = [
    [ALICE, 1_000, 50],
    [BOB, 5_000, 10],
    [CAROL, 1_300, 25],
    [ERIN, 1_345, 25],
    ...(withCarolTwin ? [[CAROL_TWIN, 1_300, 25] as [number, number, number]] : []),
  ];
  for (const [id, depositUsdt, leverage] of longs) {
    h.deposit(id, depositUsdt * USDT);
    h.setLeverage(id, 'BTCUSDT', leverage);
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1_000 });
    assert.equal(h.place({ account: id, side: 'buy', priceTicks: btcTicks('30000'), lots: 1_000 }), '');
  }
  assert.equal(h.place({ account: DAVE, side: 'buy', priceTicks: btcTicks('28750'), lots: 600 }), '');
  assert.equal(h.place({ account: DAVE, side: 'buy', priceTicks: btcTicks('28700'), lots: 1_000 }), '');
  return h;
}

const minus4pct = { shocks: [{ market: 'BTCUSDT', shockBps: -400 }] };

describe('stress query: a hand-computed crash', () => {
  it('names the called and liquidating scopes with their figures after the shock', () => {
    const h = crashBook(60_000);
    const report = h.engine.stress(minus4pct);
    assert.deepEqual(report.prices, [{ market: 'BTCUSDT', markSubticks: btcSubticks('30000'), stressedMarkSubticks: btcSubticks('28800'), stressedIndexSubticks: btcSubticks('28800') }]);
    const byId = new Map(report.scopes.map((s) => [s.accountId, s]));
    assert.deepEqual([...byId.keys()], [ALICE, CAROL, ERIN], 'ladder order: highest trigger first; bob and maker are not listed');
    assert.deepEqual(
      [ALICE, CAROL, ERIN].map((id) => [byId.get(id)?.stateAfter, byId.get(id)?.equityUnits, byId.get(id)?.maintenanceUnits]),
      [
        ['LIQUIDATING', -215 * USDT, 115_200_000],
        ['LIQUIDATING', 85 * USDT, 115_200_000],
        ['CALLED', 130 * USDT, 115_200_000],
      ],
    );
    const erin = byId.get(ERIN);
    assert.equal(erin?.distanceToMarginCallUnits, 130 * USDT - 144 * USDT);
    assert.equal(erin?.distanceToLiquidationUnits, 130 * USDT - 115_200_000);
    assert.equal(erin?.levelE8, 112_847_222, '130 / 115.2 = 1.12847222…, toward zero');
    assert.equal(report.totals.liquidatingScopes, 2);
    assert.equal(report.totals.calledScopes, 1);
    assert.equal(report.totals.newlyLiquidatingScopes, 2);
    assert.equal(report.totals.traderAccounts, 6);
  });

  it('walks the book at no worse than BP, then the fund takes the rest over: loss 160 USDT', () => {
    const h = crashBook(60_000);
    const { ladder, totals } = h.engine.stress(minus4pct);
    const [alice, carol] = ladder.closes;
    assert.equal(alice.accountId, ALICE);
    assert.equal(alice.bankruptcyPriceTicks, btcTicks('29015'));
    assert.deepEqual(alice.bookFills, []);
    assert.equal(alice.takeoverLots, 1_000);
    assert.equal(alice.bankruptcyAmountUnits, 29_015 * USDT);
    assert.equal(carol.accountId, CAROL);
    assert.equal(carol.bankruptcyPriceTicks, btcTicks('28715'));
    assert.deepEqual(carol.bookFills, [{ priceTicks: btcTicks('28750'), qtyLots: 600, clearanceFeeUnits: 21 * USDT }]);
    assert.equal(carol.takeoverLots, 400);
    assert.equal(carol.bankruptcyAmountUnits, 11_486 * USDT);
    assert.deepEqual(ladder.funds, [{ accountId: 900_002, walletUnits: 60_000 * USDT, equityBeforeUnits: 60_000 * USDT, equityAfterUnits: 59_840 * USDT, clearanceFeesUnits: 21 * USDT, lossUnits: 160 * USDT }]);
    assert.equal(totals.fundLossUnits, 160 * USDT);
    assert.equal(totals.bookLots, 600);
    assert.equal(totals.takeoverLots, 1_400);
    assert.equal(totals.adlLots, 0);
  });

  it('depth is consumed across scopes: a level one liquidation took is gone for the next', () => {
    const h = crashBook(60_000, true);
    const { ladder } = h.engine.stress({ shocks: [{ market: 'BTCUSDT', markSubticks: btcSubticks('28800') }] });
    assert.deepEqual(
      ladder.closes.map((c) => [c.accountId, c.bookLots, c.takeoverLots, c.adlLots]),
      [
        [ALICE, 0, 1_000, 0],
        [CAROL, 600, 400, 0],
        [CAROL_TWIN, 0, 0, 1_000],
      ],
      'carol took the 28,750.0 bids; 28,700.0 is below the twin’s BP 28,715.0',
    );
    // the fund would hold 2.4 BTC (69,120 USDT at 28,800) on a 60,021 wallet: the fund is exhausted, ADL
    assert.match(ladder.closes[2].takeoverRefusal, /net notional 69120000000 units would exceed its limit 60021000000/);
    const again = h.engine.stress(minus4pct);
    assert.deepEqual(again.ladder.closes, ladder.closes, 'each query starts from the live depth (and the absolute mark 28,800 is the −4% shock)');
  });

  it('a backstop liquidator takes what the book left before the fund, once per projection, as the live ladder would', () => {
    const h = crashBook(20_000);
    const BETTY = 6;
    h.deposit(BETTY, 100_000 * USDT);
    h.accountCommand(BETTY, { command: 'setBackstopLiquidator', setBackstopLiquidator: { enabled: true, markets: [], maxPositionNotionalUnits: 1_000_000 * USDT } as never });
    const { ladder, totals } = h.engine.stress(minus4pct);
    const [alice, carol] = ladder.closes;
    assert.deepEqual([alice.backstopAccountId, alice.backstopLots, alice.takeoverLots, alice.adlLots, alice.fillPriceTicks], [BETTY, 1_000, 0, 0, btcTicks('29015')]);
    assert.deepEqual(carol.backstopDeclined, [{ accountId: BETTY, reason: 'it takes one position per projection' }]);
    assert.equal(carol.takeoverLots, 400);
    assert.deepEqual([totals.backstopLots, totals.adlLots, totals.adlLegs], [1_000, 0, 0]);
    assert.equal(ladder.funds[0].equityAfterUnits, 20_055 * USDT);
    // the live shock and the live backstop takeover agree with the projection
    h.index('BTCUSDT', btcSubticks('28800'));
    const live = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', { liquidationId: 1, tsNs: h.step(1_000) });
    assert.deepEqual([live.taken?.liquidatorAccountId, live.taken?.fillPriceTicks, live.taken?.bankruptcyAmountUnits], [BETTY, alice.fillPriceTicks, alice.bankruptcyAmountUnits]);
    assert.ok(h.engine.audit().ok);
  });

  it('ADL when the fund cannot take over: the live ranking closes alice against the short', () => {
    const h = crashBook(20_000);
    const { ladder, totals } = h.engine.stress(minus4pct);
    const [alice, carol] = ladder.closes;
    assert.match(alice.takeoverRefusal, /net notional 28800000000 units would exceed its limit 20000000000/);
    assert.equal(alice.adlLots, 1_000);
    assert.equal(alice.fillPriceTicks, btcTicks('29015'));
    assert.deepEqual(alice.adlLegs, [{ counterpartyAccountId: MAKER, kind: 1, qtyLots: 1_000, positionLots: -4_000 }]);
    assert.equal(carol.takeoverLots, 400);
    assert.equal(ladder.funds[0].equityAfterUnits, 20_055 * USDT, 'fee 21 + 34 of carol’s equity share');
    assert.equal(totals.fundLossUnits, 0);
    assert.equal(totals.adlLegs, 1);
  });

  it('ranks ADL on its own view: the live ranking is neither built nor rebuilt by the query', () => {
    const h = crashBook(20_000);
    const live = h.engine.state.adlRankings;
    assert.equal(h.engine.stress(minus4pct).totals.adlLegs, 1, 'the query reaches ADL');
    assert.equal(live.rebuilds, 0, 'not built by the query');
    const plan = h.engine.ledger.adlCounterparties('BTCUSDT', 1_000, ALICE);
    assert.equal(live.rebuilds, 1, 'the live path builds it at its first read');
    assert.equal(h.engine.stress(minus4pct).totals.adlLegs, 1);
    assert.deepEqual(h.engine.ledger.adlCounterparties('BTCUSDT', 1_000, ALICE), plan);
    assert.equal(live.rebuilds, 1, 'a query at other marks does not move the live ranking to a new epoch');
  });

  it('never touches the live state, and live events after the query do not change its answer', () => {
    const h = crashBook(20_000);
    const before = h.engine.stateHash();
    const report = h.engine.stress({ ...minus4pct, funding: [{ market: 'BTCUSDT', rateE8: 1_000_000 }], haircuts: [{ asset: 'BTC', ratioE8: 50_000_000 }] });
    assert.equal(h.engine.stateHash(), before);
    const frozen = JSON.stringify(report);
    h.index('BTCUSDT', btcSubticks('29100'));
    h.deposit(CAROL, 5_000 * USDT);
    assert.notEqual(h.engine.stateHash(), before);
    assert.equal(JSON.stringify(report), frozen);
    assert.equal(h.eventsOf('liquidationTriggered', ALICE).length, 1, 'the live engine liquidates alice at 29,100 on its own');
  });

  it('a funding rate moves PF for every holder: longs pay, so erin crosses the liquidation line', () => {
    const h = crashBook(60_000);
    // 1% of 28,800 per BTC: erin owes 288 USDT, E 130 − 288 < MM
    const report = h.engine.stress({ ...minus4pct, funding: [{ market: 'BTCUSDT', rateE8: 1_000_000 }] });
    const erin = report.scopes.find((s) => s.accountId === ERIN);
    assert.equal(erin?.stateAfter, 'LIQUIDATING');
    assert.equal(erin?.equityUnits, 130 * USDT - 288 * USDT);
    assert.ok(report.scopes.some((s) => s.accountId === MAKER) === false, 'the short receives funding: still healthy');
  });
});

describe('stress query: bad input changes nothing and names the problem', () => {
  const cases: [string, unknown, StressReject, RegExp][] = [
    ['not an object', 42, StressReject.InvalidRequest, /must be an object/],
    ['no shocks', { shocks: [] }, StressReject.InvalidRequest, /at least one market/],
    ['unknown market', { shocks: [{ market: 'DOGEUSDT', shockBps: -100 }] }, StressReject.UnknownMarket, /DOGEUSDT/],
    ['NaN', { shocks: [{ market: 'BTCUSDT', shockBps: Number.NaN }] }, StressReject.InvalidNumber, /shockBps must be a safe integer/],
    ['fraction', { shocks: [{ market: 'BTCUSDT', shockBps: 1.5 }] }, StressReject.InvalidNumber, /safe integer/],
    ['string number', { shocks: [{ market: 'BTCUSDT', shockBps: '-2000' }] }, StressReject.InvalidNumber, /safe integer/],
    ['−100%', { shocks: [{ market: 'BTCUSDT', shockBps: -10_000 }] }, StressReject.ShockOutOfRange, /beyond ±100%/],
    ['beyond +100%', { shocks: [{ market: 'BTCUSDT', shockBps: 10_001 }] }, StressReject.ShockOutOfRange, /beyond ±100%/],
    ['both forms', { shocks: [{ market: 'BTCUSDT', shockBps: -100, markSubticks: 1 }] }, StressReject.InvalidRequest, /exactly one/],
    ['zero mark', { shocks: [{ market: 'BTCUSDT', markSubticks: 0 }] }, StressReject.ShockOutOfRange, /markSubticks must be in/],
    ['twice', { shocks: [{ market: 'BTCUSDT', shockBps: -1 }, { market: 'BTCUSDT', shockBps: -2 }] }, StressReject.DuplicateEntry, /twice/],
    ['funding rate', { ...minus4pct, funding: [{ market: 'BTCUSDT', rateE8: 100_000_001 }] }, StressReject.ShockOutOfRange, /rateE8/],
    ['unknown asset', { ...minus4pct, haircuts: [{ asset: 'DOGE', ratioE8: 1 }] }, StressReject.UnknownAsset, /DOGE/],
    ['haircut above 1', { ...minus4pct, haircuts: [{ asset: 'BTC', ratioE8: 100_000_001 }] }, StressReject.ShockOutOfRange, /ratioE8/],
    ['negative maxScopes', { ...minus4pct, maxScopes: -1 }, StressReject.InvalidNumber, /maxScopes/],
  ];
  for (const [name, request, code, message] of cases) {
    it(name, () => {
      const h = crashBook(60_000);
      const before = h.engine.stateHash();
      assert.throws(
        () => h.engine.stress(request),
        (e: unknown) => e instanceof StressRequestError && e.code === code && message.test(e.message),
      );
      assert.equal(h.engine.stateHash(), before);
    });
  }

  it('a market without a mark yet is refused', () => {
    const h = new RiskHarness(riskConfig());
    assert.throws(() => h.engine.stress({ shocks: [{ market: 'ETHUSDT', shockBps: -100 }] }), (e: unknown) => e instanceof StressRequestError && e.code === StressReject.NoMarkPrice);
  });

  it('the shocked price rounds away from the current one', () => {
    const h = crashBook(60_000);
    h.index('BTCUSDT', 30_000_001);
    const down = h.engine.stress({ shocks: [{ market: 'BTCUSDT', shockBps: -1 }] }).prices[0];
    const up = h.engine.stress({ shocks: [{ market: 'BTCUSDT', shockBps: 1 }] }).prices[0];
    // 30,000,001 × 0.9999 = 29,997,000.9999 → floor; × 1.0001 = 30,003,001.1 → ceil
    assert.equal(down.stressedMarkSubticks, 29_997_000);
    assert.equal(up.stressedMarkSubticks, 30_003_002);
  });
});
