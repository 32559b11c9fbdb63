import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { maintenanceMarginUnits, maintenanceTierIndex } from './maintenance-margin.js';
import { positionInitialMarginUnits } from './initial-margin.js';
import { unrealizedPnlUnits } from './unrealized-pnl.js';
import { btcParams, ethParams, lots, markSubticks, ticks, units } from './venue-fixtures.js';

const btc = btcParams();
const eth = ethParams();
const ceilDiv = (n: bigint, d: bigint) => (n >= 0n ? (n + d - 1n) / d : -(-n / d));
const floorDiv = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));

describe('maintenance margin, IM and UPnL (RISK-SPEC §3, example 3 positions)', () => {
  it('BTC long 109.488 at 32,481.98 marked 31,967.27: MM 71,200.811444, UPnL −56,354.56848', () => {
    const q = lots('109.488');
    const cost = q * ticks('32481.98') * btc.lotTickUnits;
    const m = markSubticks('31967.27');
    assert.equal(maintenanceTierIndex(btc, q, m), 3);
    assert.equal(maintenanceMarginUnits(btc, q, m), units('71200.811444'));
    assert.equal(unrealizedPnlUnits(btc, q, cost, m), units('-56354.56848'));
  });

  it('ETH long 3,683.979 at 1,456.84 marked 1,335.18: MM 356,512.508122, UPnL −448,192.88514', () => {
    const q = lots('3683.979');
    const cost = q * ticks('1456.84') * eth.lotTickUnits;
    const m = markSubticks('1335.18');
    assert.equal(maintenanceTierIndex(eth, q, m), 5);
    assert.equal(maintenanceMarginUnits(eth, q, m), units('356512.508122'));
    assert.equal(unrealizedPnlUnits(eth, q, cost, m), units('-448192.88514'));
  });

  it('example 2 position: 0.02 BTC at 50,000, 20× → IM 50, MM 4 (0.40%)', () => {
    const m = markSubticks('50000');
    assert.equal(positionInitialMarginUnits(btc, lots('0.02'), m, 20), units('50'));
    assert.equal(maintenanceMarginUnits(btc, lots('0.02'), m), units('4'));
  });

  it('rounds MM and IM up and UPnL down on a sub-unit mark (pinned)', () => {
    // 1 lot × 1 subtick × lotTickUnits 10 / 100 = 0.1 unit of notional
    const m = 1;
    assert.equal(maintenanceMarginUnits(btc, 1, m), 1); // 0.1 × 0.4% → 1 unit
    assert.equal(positionInitialMarginUnits(btc, 1, m, 1), 1); // 0.1 / 1 → 1 unit
    assert.equal(unrealizedPnlUnits(btc, -1, 0, m), -1); // short: −0.1 → −1
    assert.equal(unrealizedPnlUnits(btc, 1, 0, m), 0); // long: 0.1 → 0
  });

  it('property: MM, IM, UPnL equal the bigint reference with the named rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -9_000_000, max: 9_000_000 }),
        fc.integer({ min: 1, max: 100_000_000_000 }),
        fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
        fc.integer({ min: 1, max: 20 }),
        (q, m, cost, lev) => {
          const n = BigInt(Math.abs(q)) * BigInt(m) * 10n; // N × 100
          if (n / 100n > BigInt(Number.MAX_SAFE_INTEGER)) {
            // a notional past 2^53 units is refused, never rounded
            assert.throws(() => maintenanceMarginUnits(btc, q, m), (e: unknown) => e instanceof DomainError && e.code === 'DOMAIN_OUT_OF_RANGE');
            return;
          }
          const k = maintenanceTierIndex(btc, q, m);
          const mm = ceilDiv(n * BigInt(btc.tiers.mmrE8[k]), 100n * 100_000_000n) - BigInt(btc.tiers.cumUnits[k]);
          assert.equal(maintenanceMarginUnits(btc, q, m), Number(mm));
          assert.equal(positionInitialMarginUnits(btc, q, m, lev), Number(ceilDiv(n, 100n * BigInt(lev))));
          const upnl = floorDiv(BigInt(q) * BigInt(m) * 10n - BigInt(cost) * 100n, 100n);
          if (upnl > BigInt(Number.MAX_SAFE_INTEGER) || upnl < BigInt(Number.MIN_SAFE_INTEGER)) {
            assert.throws(() => unrealizedPnlUnits(btc, q, cost, m), DomainError);
          } else {
            assert.equal(unrealizedPnlUnits(btc, q, cost, m), Number(upnl));
          }
          // the tier holds floor < N ≤ cap
          if (k > 0) assert.ok(n > BigInt(btc.tiers.floorUnits[k]) * 100n);
          if (k < btc.tiers.count - 1) assert.ok(n <= BigInt(btc.tiers.capUnits[k]) * 100n);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('refuses bad input with a typed error naming the parameter', () => {
    const named = (name: string) => (e: unknown) => e instanceof DomainError && e.message.includes(name);
    assert.throws(() => maintenanceMarginUnits(btc, 1.5, 100), named('qtyLots'));
    assert.throws(() => maintenanceMarginUnits(btc, 1, 0), named('markSubticks'));
    assert.throws(() => maintenanceMarginUnits(btc, 1, -5), named('markSubticks'));
    assert.throws(() => maintenanceMarginUnits(btc, Number.NaN, 5), named('qtyLots'));
    assert.throws(() => positionInitialMarginUnits(btc, 1, 5, 126), (e: unknown) => e instanceof DomainError && e.code === 'RISK_LEVERAGE_ABOVE_TIER_MAX');
    assert.throws(() => positionInitialMarginUnits(btc, 1, 5, 0), named('leverage'));
    assert.throws(() => unrealizedPnlUnits(btc, 1, 0.5, 5), named('costUnits'));
  });
});
