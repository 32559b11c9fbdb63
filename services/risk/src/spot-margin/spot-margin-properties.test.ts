import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SpotEventKind } from './spot-margin-events.js';
import { createSpotFold } from './spot-margin-fold.js';
import { captureSpotLedger, hashOf } from './spot-margin-snapshot.js';
import { T0, action, runActions } from './spot-margin-actions.test-support.js';
import { HOUR_NS, createRecordedEngine, seedMarket, usdt } from './spot-margin.test-support.js';

describe('spot margin properties (random borrow / repay / trade / price / time)', () => {
  it('conservation holds to the unit after every event; the fold rebuilds the ledger; same inputs → same hash', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => {
        const run = () => {
          let audited = 0;
          const rec = createRecordedEngine(undefined, (e, engine) => {
            const report = engine.audit();
            assert.deepEqual(report.problems, [], `after ${e.kind}`);
            audited++;
          });
          runActions(rec, actions);
          assert.ok(audited >= rec.events.length - 1);
          return rec;
        };
        const a = run();
        const fold = createSpotFold(a.engine.context.assets);
        for (const e of a.events) fold.apply(e);
        assert.equal(hashOf(captureSpotLedger(fold.state)), a.engine.ledgerHash());
        const b = run();
        assert.equal(b.engine.stateHash(), a.engine.stateHash());
        // a liquidation fee never exceeds what the account had left: no fee event leaves a negative balance
        for (const e of a.events) {
          if (e.kind === SpotEventKind.LiquidationFeeCharged) assert.ok(e.rows.every((r) => r.balanceUnits >= 0));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('interest never favours the borrower: settled interest ≥ the exact simple interest over the borrow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: usdt(40_000) }), fc.array(fc.integer({ min: 1, max: 48 * 60 }), { minLength: 1, maxLength: 6 }), (amount, steps) => {
        const { engine } = createRecordedEngine();
        seedMarket(engine, T0, 30_000);
        engine.deposit(1, 'USDT', usdt(20_000), T0);
        if (!engine.borrow(1, 'USDT', amount, T0).ok) return;
        let ts = T0;
        for (const m of steps) {
          ts += m * (HOUR_NS / 60);
          engine.advanceTime(ts);
        }
        const owed = engine.context.debtNow(1, 'USDT');
        // exact simple interest: amount × rate × Δt / (1e8 × 1 h), rate 1,000 E8
        const exactNum = BigInt(amount) * (100_000_000n * BigInt(HOUR_NS) + 1_000n * BigInt(ts - T0));
        assert.ok(BigInt(owed) * 100_000_000n * BigInt(HOUR_NS) >= exactNum);
      }),
      { numRuns: 100 },
    );
  });
});
