/**
 * The accounts-at-risk round (accounts-at-risk.ts) asks several account reports at
 * once (over Kafka each is a round trip to the risk shard), never more than its
 * bound, and a failed query keeps the account's previous row instead of ending the
 * round. Driven by a fake report source whose answers the test releases by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountView } from '@perpcore/exchange';
import type { RiskEventV1 } from '@perpcore/proto';
import { AccountsAtRisk } from './accounts-at-risk.js';

/** A trader whose cross scope holds one BTCUSDT position at `levelE8`. */
function traderAt(accountId: number, levelE8: number): AccountView {
  const scope = {
    mode: 'CROSS', market: '', state: 'NORMAL', equityUnits: 1_000_000, maintenanceUnits: 100_000, basisUnits: 0, initialUnits: 0, openOrderImUnits: 0, collateralUnits: 1_000_000,
    pendingFundingUnits: 0, levelE8, marginCallLevelE8: 150_000_000, liquidationLevelE8: 100_000_000, distanceToMarginCallUnits: 400_000, distanceToLiquidationUnits: 900_000, availableUnits: 0,
    positions: [{ market: 'BTCUSDT', qtyLots: 3, liquidationPrice: '25000.0', marginCallPrice: '26000.0' }],
  };
  return { accountId, kind: 'TRADER', cross: scope, isolated: [], adlBuckets: new Map() } as unknown as AccountView;
}

const settled = (accountId: number) => ({ event: 'positionSettled', accountId }) as unknown as RiskEventV1;

/** Account queries answered when the test says so; counts how many are outstanding at once. */
class HeldQueries {
  private readonly waiting: { accountId: number; resolve: (v: AccountView | null) => void; reject: (e: Error) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  asked: number[] = [];

  readonly account = (accountId: number): Promise<AccountView | null> => {
    this.asked.push(accountId);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => this.waiting.push({ accountId, resolve, reject }));
  };

  get outstanding(): number {
    return this.waiting.length;
  }

  /** Answers the oldest outstanding query; `fail` makes it reject like a core timeout. */
  answer(view: (accountId: number) => AccountView | null, fail = false): void {
    const q = this.waiting.shift();
    assert.ok(q !== undefined, 'a query is outstanding');
    this.inFlight--;
    if (fail) q.reject(new Error(`no answer from the core within 10000 ms to the account query for ${q.accountId}`));
    else q.resolve(view(q.accountId));
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('accounts at risk: the round of account reports', () => {
  it('asks up to queriesInFlight reports at once, the next as soon as one is answered', async () => {
    const queries = new HeldQueries();
    const accounts = new AccountsAtRisk({ account: queries.account, settleDecimals: 6, qtyText: (_m, lots) => `${lots}`, queriesInFlight: 4 });
    for (let id = 1; id <= 10; id++) accounts.onRiskEvent(settled(id));
    const round = accounts.refresh();
    await turn();
    assert.equal(queries.outstanding, 4, 'four asked at once, not one at a time');
    while (queries.outstanding > 0) {
      queries.answer((id) => traderAt(id, 200_000_000 + id));
      await turn();
    }
    await round;
    assert.equal(queries.maxInFlight, 4, 'never more than the bound');
    assert.deepEqual([...queries.asked].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every tracked account asked once');
    assert.deepEqual(
      accounts.top(3).map((r) => r.accountId),
      [1, 2, 3],
      'ranked by level, lowest first',
    );
  });

  it('a failed query keeps the previous row and does not end the round', async () => {
    const queries = new HeldQueries();
    const accounts = new AccountsAtRisk({ account: queries.account, settleDecimals: 6, qtyText: (_m, lots) => `${lots}`, queriesInFlight: 2 });
    for (const id of [7, 8, 9]) accounts.onRiskEvent(settled(id));
    const first = accounts.refresh();
    for (let i = 0; i < 3; i++) {
      await turn();
      queries.answer((id) => traderAt(id, 300_000_000));
    }
    await first;
    assert.equal(accounts.top(10).length, 3);

    const second = accounts.refresh();
    await turn();
    queries.answer(() => null, true); // account 7's query times out
    await turn();
    queries.answer((id) => traderAt(id, 120_000_000));
    await turn();
    queries.answer((id) => traderAt(id, 130_000_000));
    await second;
    assert.equal(accounts.queryFailures, 1);
    assert.deepEqual(
      accounts.top(10).map((r) => [r.accountId, r.levelE8]),
      [
        [8, 120_000_000],
        [9, 130_000_000],
        [7, 300_000_000],
      ],
      'the others were refreshed; account 7 keeps its last row',
    );
    assert.equal(accounts.trackedCount, 3, 'and is still tracked for the next round');
  });

  it('refuses a bound that is not a positive integer', () => {
    assert.throws(() => new AccountsAtRisk({ account: async () => null, settleDecimals: 6, qtyText: () => '', queriesInFlight: 0 }), /queriesInFlight must be a positive integer/);
  });
});
