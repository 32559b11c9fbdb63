/** The stage counters count what the stages publish: here the index prices risk refused, per reason. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type RiskEventV1, perpcore } from '@perpcore/proto';
import { StageCounters } from './stage-counters.js';

const Reason = perpcore.risk.v1.IndexPriceRejectReason;

it('counts refused index prices in total and per reason', () => {
  const c = new StageCounters();
  const refused = (reason: number) => ({ event: 'indexPriceRejected', indexPriceRejected: { reason } }) as unknown as RiskEventV1;
  for (const reason of [Reason.INDEX_PRICE_REJECT_REASON_STALE, Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE, Reason.INDEX_PRICE_REJECT_REASON_STALE, 99]) c.onRiskEvent(refused(reason));
  c.onRiskEvent({ event: 'markPrice', markPrice: {} } as unknown as RiskEventV1);
  assert.equal(c.indexPricesRejected, 4);
  assert.deepEqual([...c.indexRejectReasons.entries()], [['STALE', 2], ['INVALID_PRICE', 1], ['UNSPECIFIED', 1]]);
  assert.equal(c.markPrices, 1);
});
