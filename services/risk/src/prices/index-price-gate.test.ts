/**
 * Stale and invalid index prices (issue 9 item 5, index-price-gate.ts): an index
 * that is not applied changes nothing (state hash), is answered with
 * `IndexPriceRejectedV1` and counted, and does not consume its dedup sequence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SCHEMA_MAJOR_V1, type OracleEventV1, type RiskEventV1, perpcore } from '@perpcore/proto';
import { RiskHarness, USDT, aliceLong1BtcAt30k, btcSubticks } from '../risk-harness.test-support.js';

const Reason = perpcore.risk.v1.IndexPriceRejectReason;
const MAKER = 10;
const ALICE = 1;
const CAROL = 3;

interface IndexInput {
  source?: string;
  seq: number;
  tsNs: number;
  symbol?: string;
  price: number | undefined;
}

/** One oracle envelope straight into the engine (the harness's own index() numbers oracle-0 itself). */
function oracle(h: RiskHarness, i: IndexInput): RiskEventV1[] {
  const before = h.events.length;
  const e = { schemaMajor: SCHEMA_MAJOR_V1, seq: i.seq, tsNs: i.tsNs, source: i.source ?? 'oracle-9', symbol: i.symbol ?? 'BTCUSDT' } as OracleEventV1;
  if (i.price !== undefined) Object.assign(e, { event: 'indexPrice', indexPrice: { priceSubticks: i.price, sources: [] } });
  h.engine.handleOracleEvent(e);
  h.drain();
  return h.events.slice(before);
}

function rejectionOf(events: readonly RiskEventV1[]): perpcore.risk.v1.IndexPriceRejectedV1 {
  assert.deepEqual(events.map((e) => e.event), ['indexPriceRejected'], 'exactly one event, the rejection');
  return events[0].indexPriceRejected as perpcore.risk.v1.IndexPriceRejectedV1;
}

const aliceLong = () => aliceLong1BtcAt30k(ALICE, MAKER);

describe('index price gate: stale indexes', () => {
  it('drops an index stamped earlier than the last applied one from another source: no mark move, no liquidation, seq unconsumed', () => {
    const h = aliceLong();
    const t = h.step();
    assert.deepEqual(oracle(h, { source: 'oracle-1', seq: 1, tsNs: t, price: btcSubticks('30000') }).map((e) => e.event), [], 'same price, nothing to publish');
    const hash = h.engine.stateHash();
    const mark = h.engine.state.markets[0].markSubticks;

    // oracle-2 lags by a second and still says 29,000: applied, it would liquidate Alice
    const out = oracle(h, { source: 'oracle-2', seq: 1, tsNs: t - 1_000_000_000, price: btcSubticks('29000') });
    assert.equal(h.eventsOf('liquidationTriggered').length, 0, 'the stale index moved the mark back into a liquidation');
    assert.equal(h.engine.state.markets[0].markSubticks, mark);
    assert.equal(h.engine.stateHash(), hash);
    const stale = rejectionOf(out);
    assert.equal(stale.reason, Reason.INDEX_PRICE_REJECT_REASON_STALE);
    assert.equal(stale.symbol, 'BTCUSDT');
    assert.equal(stale.priceSubticks, btcSubticks('29000'));
    assert.equal(stale.tsNs, t - 1_000_000_000);
    assert.equal(stale.lastAppliedTsNs, t);
    assert.deepEqual([stale.inputSource, stale.inputSeq], ['oracle-2', 1]);
    assert.match(stale.message, /not newer than the last applied/);
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(h.engine.state.markets[0].markSubticks, mark);
    assert.equal(h.eventsOf('liquidationTriggered').length, 0);
    assert.equal(h.engine.accountReport(ALICE)!.cross.state, 'HEALTHY');

    // its seq was not consumed: oracle-2's seq 1, now current, is applied
    const fresh = oracle(h, { source: 'oracle-2', seq: 1, tsNs: h.step(), price: btcSubticks('30010') });
    assert.equal(fresh.filter((e) => e.event === 'markPrice').length, 1);
    assert.equal(h.engine.state.markets[0].indexSubticks, btcSubticks('30010'));
    assert.equal(h.engine.duplicatesDropped, 0);
    assert.deepEqual(h.engine.indexGate.rejectedByReason, { STALE: 1, INVALID_PRICE: 0, PRICE_OUT_OF_RANGE: 0, INVALID_TIMESTAMP: 0, UNKNOWN_SYMBOL: 0 });
    assert.ok(h.engine.audit().ok);
  });

  it('treats an index stamped at the same instant as the last applied one as stale (the first of an instant wins)', () => {
    const h = aliceLong();
    const t = h.step();
    oracle(h, { source: 'oracle-1', seq: 1, tsNs: t, price: btcSubticks('30005') });
    const hash = h.engine.stateHash();
    const same = rejectionOf(oracle(h, { source: 'oracle-2', seq: 1, tsNs: t, price: btcSubticks('29000') }));
    assert.equal(same.reason, Reason.INDEX_PRICE_REJECT_REASON_STALE);
    assert.equal(h.engine.stateHash(), hash);
    // the same source again at that instant, with a new seq: stale as well
    assert.equal(rejectionOf(oracle(h, { source: 'oracle-1', seq: 2, tsNs: t, price: btcSubticks('30005') })).reason, Reason.INDEX_PRICE_REJECT_REASON_STALE);
    assert.equal(h.engine.stateHash(), hash);
  });

  it('keeps a collateral asset priced by the same symbol on the same clock: a stale index does not revalue it', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(CAROL, 15_000_000, 'BTC'); // 0.15 BTC, 4,275 accepted at 30,000
    const accepted = () => h.engine.accountReport(CAROL)!.collateral[1].acceptedValueUnits;
    assert.equal(accepted(), 4_275 * USDT);
    const hash = h.engine.stateHash();
    const stale = rejectionOf(oracle(h, { seq: 1, tsNs: h.engine.state.markets[0].indexTsNs - 1, price: btcSubticks('15000') }));
    assert.equal(stale.reason, Reason.INDEX_PRICE_REJECT_REASON_STALE);
    assert.equal(accepted(), 4_275 * USDT);
    assert.equal(h.engine.stateHash(), hash);
    oracle(h, { seq: 1, tsNs: h.step(), price: btcSubticks('15000') });
    assert.equal(accepted(), 2_137_500_000, 'the current one does');
  });

  it('publishes the rejection on the symbol\'s market stream, stamped with the last applied time', () => {
    const h = aliceLong();
    const last = h.engine.state.markets[0].indexTsNs;
    const lastSeq = h.events.filter((e) => e.accountId === 0 && e.market === 'BTCUSDT').at(-1)!.seq;
    const [e] = oracle(h, { seq: 1, tsNs: last - 5, price: btcSubticks('30000') });
    assert.deepEqual([e.accountId, e.market, e.seq, e.tsNs, e.source], [0, 'BTCUSDT', lastSeq + 1, last, 'risk-0']);
  });
});

describe('index price gate: invalid indexes', () => {
  const invalidPrices: [string, number | undefined][] = [
    ['zero', 0], ['negative', -btcSubticks('30000')], ['NaN', Number.NaN], ['fractional', 30_000_000.5],
    ['infinite', Number.POSITIVE_INFINITY], ['beyond 2^53', 2 ** 53], ['absent (no IndexPriceV1)', undefined],
  ];
  for (const [name, price] of invalidPrices) {
    it(`rejects a ${name} price with an event, changes nothing, and leaves the seq for the next valid input`, () => {
      const h = aliceLong();
      const hash = h.engine.stateHash();
      const t = h.step();
      const out = oracle(h, { seq: 1, tsNs: t, price });
      assert.equal(h.engine.stateHash(), hash);
      // the same (source, seq) with a valid price is applied: the reject consumed nothing
      oracle(h, { seq: 1, tsNs: t, price: btcSubticks('30020') });
      assert.equal(h.engine.duplicatesDropped, 0, 'the refused input consumed its seq');
      assert.equal(h.engine.state.markets[0].indexSubticks, btcSubticks('30020'));
      const rejected = rejectionOf(out);
      assert.equal(rejected.reason, Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE);
      assert.equal(rejected.priceSubticks, price !== undefined && Number.isSafeInteger(price) ? price : 0, 'only a wire-safe value is echoed');
      assert.equal(rejected.tsNs, t);
      assert.match(rejected.message, price === undefined ? /no index price/ : new RegExp(`index price ${String(price).replace('.', '\\.')} is not a positive safe integer`));
      assert.equal(h.engine.indexGate.rejectedByReason.INVALID_PRICE, 1);
    });
  }

  it('rejects a timestamp that is not a positive integer nanosecond count below 2^63', () => {
    const h = aliceLong();
    const hash = h.engine.stateHash();
    for (const tsNs of [Number.NaN, 0, -1, 1.5, 2 ** 63, Number.POSITIVE_INFINITY]) {
      const rejected = rejectionOf(oracle(h, { seq: 1, tsNs, price: btcSubticks('29000') }));
      assert.equal(rejected.reason, Reason.INDEX_PRICE_REJECT_REASON_INVALID_TIMESTAMP, String(tsNs));
      assert.equal(rejected.tsNs, Number.isInteger(tsNs) && Math.abs(tsNs) < 2 ** 63 ? tsNs : 0);
    }
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(h.engine.indexGate.rejectedByReason.INVALID_TIMESTAMP, 6);
  });

  it('rejects a price above the market\'s maximum (maxPriceTicks × markSubticksPerTick) and accepts the maximum itself', () => {
    const h = new RiskHarness();
    const max = 10_000_000 * 100; // BTCUSDT: 10,000,000 ticks, 100 subticks per tick
    const rejected = rejectionOf(oracle(h, { seq: 1, tsNs: h.step(), price: max + 1 }));
    assert.equal(rejected.reason, Reason.INDEX_PRICE_REJECT_REASON_PRICE_OUT_OF_RANGE);
    assert.equal(h.engine.state.markets[0].indexSubticks, 0);
    oracle(h, { seq: 1, tsNs: h.step(), price: max });
    assert.equal(h.engine.state.markets[0].indexSubticks, max);
  });

  it('rejects an unlisted symbol with an event that has no stream (seq 0), wire-valid', () => {
    const h = new RiskHarness();
    const hash = h.engine.stateHash();
    const [e] = oracle(h, { seq: 4, tsNs: h.step(), symbol: 'DOGEUSDT', price: 1_000 });
    assert.deepEqual([e.event, e.accountId, e.market, e.seq, e.tsNs], ['indexPriceRejected', 0, 'DOGEUSDT', 0, 0]);
    assert.equal(e.indexPriceRejected!.reason, Reason.INDEX_PRICE_REJECT_REASON_UNKNOWN_SYMBOL);
    assert.equal(e.indexPriceRejected!.lastAppliedTsNs, 0);
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(h.engine.indexGate.rejected, 1);
  });

  it('still drops a redelivery of an applied index as a duplicate, without an event', () => {
    const h = aliceLong();
    const input = { seq: 3, tsNs: h.step(), price: btcSubticks('30001') };
    oracle(h, input);
    assert.deepEqual(oracle(h, input), []);
    assert.equal(h.engine.duplicatesDropped, 1);
    assert.equal(h.engine.indexGate.rejected, 0);
  });
});

describe('index price gate: property', () => {
  it('applies an index iff it is valid, newer than the symbol\'s last applied one and not a redelivery; a refused one leaves the hash unchanged', () => {
    const priceArb = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: btcSubticks('25000'), max: btcSubticks('35000') }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, Number.NaN, 0.5, 2 ** 53, 10_000_000 * 100 + 1) },
    );
    const inputArb = fc.record({
      source: fc.constantFrom('oracle-5', 'oracle-6'), // not the harness's own oracle-0
      symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'XRPUSDT'),
      seqStep: fc.integer({ min: -1, max: 2 }), // repeat, go back, or move the source's numbering on
      tsStepMs: fc.integer({ min: -3, max: 3 }),
      price: priceArb,
    });
    const seen = { duplicate: 0, applied: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(inputArb, { minLength: 1, maxLength: 60 }), (inputs) => {
        const h = aliceLong();
        const t0 = h.step();
        const lastTs = new Map<string, number>([['BTCUSDT', h.engine.state.markets[0].indexTsNs]]);
        const lastSeq = new Map<string, number>();
        const nextSeq = new Map<string, number>();
        let tsMs = 0;
        for (const i of inputs) {
          const key = `${i.source}/${i.symbol}`;
          const seq = Math.max(1, (nextSeq.get(key) ?? 1) + i.seqStep);
          nextSeq.set(key, seq);
          tsMs += i.tsStepMs;
          const tsNs = t0 + tsMs * 1_000_000;
          const hash = h.engine.stateHash();
          const dupes = h.engine.duplicatesDropped;
          const out = oracle(h, { source: i.source, seq, tsNs, symbol: i.symbol, price: i.price });
          const duplicate = seq <= (lastSeq.get(key) ?? 0);
          const valid = i.symbol !== 'XRPUSDT' && Number.isSafeInteger(i.price) && i.price > 0 && i.price <= (i.symbol === 'BTCUSDT' ? 1e9 : 1e10);
          const fresh = tsNs > (lastTs.get(i.symbol) ?? 0);
          if (duplicate) {
            seen.duplicate++;
            assert.deepEqual(out, []);
            assert.equal(h.engine.duplicatesDropped, dupes + 1);
            assert.equal(h.engine.stateHash(), hash);
          } else if (valid && fresh) {
            seen.applied++;
            lastSeq.set(key, seq);
            lastTs.set(i.symbol, tsNs);
            assert.ok(out.every((e) => e.event !== 'indexPriceRejected'));
            const m = h.engine.marketIndex(i.symbol);
            assert.equal(h.engine.state.markets[m].indexSubticks, i.price);
            assert.equal(h.engine.state.markets[m].indexTsNs, tsNs);
          } else {
            seen.refused++;
            const r = rejectionOf(out);
            const expected = i.symbol === 'XRPUSDT' ? Reason.INDEX_PRICE_REJECT_REASON_UNKNOWN_SYMBOL : !valid && (Number.isSafeInteger(i.price) && i.price > 0) ? Reason.INDEX_PRICE_REJECT_REASON_PRICE_OUT_OF_RANGE : !valid ? Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE : Reason.INDEX_PRICE_REJECT_REASON_STALE;
            assert.equal(r.reason, expected);
            assert.equal(h.engine.stateHash(), hash, 'a refused index changes nothing');
          }
          assert.ok(h.engine.audit().ok);
        }
      }),
      { numRuns: 60, seed: 9_005 },
    );
    assert.ok(seen.duplicate > 0 && seen.applied > 0 && seen.refused > 0, JSON.stringify(seen));
  });
});
