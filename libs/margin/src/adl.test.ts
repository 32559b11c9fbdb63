import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { adlBucketsByCount, adlBucketsByQuantity, adlQuantileFigures } from './adl-indicator.js';
import { type AdlCandidate, adlScoreLeveragePnl, adlScorePnlTimesLeverage, adlScorePnlTimesLeverageWithFigures, compareAdlCandidates, compareAdlScores } from './adl-score.js';
import { btcParams, units } from './venue-fixtures.js';

const btc = btcParams();
// lotTickUnits 10, spt 100: 1 lot at M subticks has MV = M × 10 / 100 units
const asRatio = (s: { num: bigint; den: bigint }) => Number(s.num) / Number(s.den);

describe('ADL scores (RISK-SPEC §8)', () => {
  it('PNL_X_LEVERAGE: EV 100, MV 120, BV 90 → pnl 0.2 × effLev 4 = 0.8; a loss divides by leverage', () => {
    // 1 lot: MV = 120 units ⇔ mark 1,200 subticks
    const win = adlScorePnlTimesLeverage(btc, { qtyLots: 1, costUnits: 100, markSubticks: 1_200, bankruptcyValueUnits: 90 });
    assert.equal(compareAdlScores(win, { num: 4n, den: 5n }), 0);
    // loss: EV 100, MV 80, BV 60: pnl −0.2, effLev 80/20 = 4 → −0.05
    const loss = adlScorePnlTimesLeverage(btc, { qtyLots: 1, costUnits: 100, markSubticks: 800, bankruptcyValueUnits: 60 });
    assert.equal(compareAdlScores(loss, { num: -1n, den: 20n }), 0);
    // a short in profit: entered at 100 (C = −100), mark 80 (MV −80), BP 110 (BV −110): pnl 0.2, effLev 80/30
    const short = adlScorePnlTimesLeverage(btc, { qtyLots: -1, costUnits: -100, markSubticks: 800, bankruptcyValueUnits: -110 });
    assert.equal(compareAdlScores(short, { num: 8n, den: 15n }), 0);
  });

  it('a profitable position at or past bankruptcy ranks first (+∞); a losing one ranks as 0', () => {
    const inf = adlScorePnlTimesLeverage(btc, { qtyLots: 1, costUnits: 100, markSubticks: 1_200, bankruptcyValueUnits: 120 });
    assert.equal(compareAdlScores(inf, { num: 10n ** 30n, den: 1n }), 1);
    assert.equal(compareAdlScores(inf, inf), 0);
    assert.equal(compareAdlScores(adlScorePnlTimesLeverage(btc, { qtyLots: 1, costUnits: 100, markSubticks: 800, bankruptcyValueUnits: 90 }), { num: 0n, den: 1n }), 0);
  });

  it('LEVERAGE_PNL: max(0, UPnL) / max(1 coin, WB) × MM / (WB + UPnL)', () => {
    const s = adlScoreLeveragePnl(btc, { upnlUnits: units('500'), walletUnits: units('1000'), maintenanceUnits: units('30') });
    assert.equal(compareAdlScores(s, { num: 1n, den: 100n }), 0); // 0.5 × 30 / 1,500
    assert.equal(adlScoreLeveragePnl(btc, { upnlUnits: -1, walletUnits: units('1000'), maintenanceUnits: 1 }).num, 0n);
    // wallet below one coin counts as one coin
    const small = adlScoreLeveragePnl(btc, { upnlUnits: units('1'), walletUnits: 10, maintenanceUnits: units('1') });
    assert.equal(compareAdlScores(small, { num: BigInt(units('1')), den: BigInt(units('1') + 10) }), 0);
  });

  it('property: comparing by cross-multiplication agrees with float order where floats are unambiguous; ties go by account id', () => {
    const score = fc.record({ num: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), den: fc.bigInt({ min: 1n, max: 10n ** 20n }) });
    fc.assert(
      fc.property(score, score, (a, b) => {
        const fa = asRatio(a);
        const fb = asRatio(b);
        if (Math.abs(fa - fb) > 1e-9 * Math.max(1, Math.abs(fa), Math.abs(fb))) assert.equal(compareAdlScores(a, b), fa < fb ? -1 : 1);
        // a sum, not a negation: -0 is not 0 to the strict assert (a tie drawn twice failed the property)
        assert.equal(compareAdlScores(a, b) + compareAdlScores(b, a), 0);
      }),
    );
    const queue: AdlCandidate[] = [
      { accountId: 7, score: { num: 1n, den: 2n } },
      { accountId: 3, score: { num: 2n, den: 4n } },
      { accountId: 5, score: { num: 1n, den: 0n } },
      { accountId: 1, score: { num: -1n, den: 2n } },
    ];
    assert.deepEqual(queue.sort(compareAdlCandidates).map((c) => c.accountId), [5, 3, 7, 1]);
  });
});

describe('ADL indicator (RISK-SPEC §8)', () => {
  it('ranked sizes 10, 30, 60 → cumShare 0.1, 0.4, 1.0 → buckets 1, 2, 5', () => {
    assert.deepEqual([...adlBucketsByQuantity([10, 30, 60])], [1, 2, 5]);
    assert.deepEqual([...adlBucketsByCount(5)], [1, 2, 3, 4, 5]);
    assert.deepEqual([...adlBucketsByCount(3)], [2, 4, 5]);
  });

  it('property: buckets are 1..5, non-decreasing, and the last is 5', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 ** 9 }), { minLength: 1, maxLength: 50 }), (sizes) => {
        const b = adlBucketsByQuantity(sizes);
        for (let i = 0; i < b.length; i++) {
          assert.ok(b[i] >= 1 && b[i] <= 5);
          if (i > 0) assert.ok(b[i] >= b[i - 1]);
        }
        assert.equal(b[b.length - 1], 5);
      }),
    );
  });

  it('refuses zero or fractional sizes', () => {
    assert.throws(() => adlBucketsByQuantity([1, 0]), /rankedQtyLots\[1\]/);
    assert.throws(() => adlBucketsByQuantity([1.5]), /rankedQtyLots\[0\]/);
  });
});

describe('ADL figures (the intermediates venues publish)', () => {
  it('PnL% and effective leverage beside the score: 20% × 4× = 0.8; a short 20% at 2.6666×', () => {
    const input = { qtyLots: 1, costUnits: 100, markSubticks: 1_200, bankruptcyValueUnits: 90 };
    const f = adlScorePnlTimesLeverageWithFigures(btc, input);
    assert.equal(f.pnlPercentE8, 20_000_000n);
    assert.equal(f.effectiveLeverageE8, 400_000_000n);
    assert.deepEqual(f.score, adlScorePnlTimesLeverage(btc, input));
    const short = adlScorePnlTimesLeverageWithFigures(btc, { qtyLots: -1, costUnits: -100, markSubticks: 800, bankruptcyValueUnits: -110 });
    assert.equal(short.pnlPercentE8, 20_000_000n);
    assert.equal(short.effectiveLeverageE8, 266_666_666n); // 80 / 30, toward zero
    const past = adlScorePnlTimesLeverageWithFigures(btc, { qtyLots: 1, costUnits: 100, markSubticks: 1_200, bankruptcyValueUnits: 130 });
    assert.equal(past.effectiveLeverageE8, null);
  });

  it('rank and count of the quantile: sizes 10, 30, 60 → the second is rank 2 of 3, 40 of 100 lots', () => {
    assert.deepEqual(adlQuantileFigures([10, 30, 60], 1), { rank: 2, count: 3, cumQtyLots: 40, totalQtyLots: 100, bucketByQuantity: 2, bucketByCount: 4 });
    const byQty = adlBucketsByQuantity([10, 30, 60]);
    const byCount = adlBucketsByCount(3);
    for (let i = 0; i < 3; i++) {
      const f = adlQuantileFigures([10, 30, 60], i);
      assert.equal(f.bucketByQuantity, byQty[i]);
      assert.equal(f.bucketByCount, byCount[i]);
    }
    assert.throws(() => adlQuantileFigures([10], 1), /index/);
    assert.throws(() => adlQuantileFigures([0, 10], 0), /rankedQtyLots\[0\]/);
  });
});
