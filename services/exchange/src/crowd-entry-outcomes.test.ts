import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import { CrowdEntryOutcomes } from './crowd-entry-outcomes.js';

const fill = (takerOrderId: number, tradeSeq: number, takerRemainingLots: number, market = 'BTCUSDT'): MatchingEventV1 =>
  ({ market, event: 'filled', filled: { tradeSeq, takerOrderId, takerAccountId: 0, makerOrderId: 1, makerAccountId: 9, takerRemainingLots, makerRemainingLots: 0, qtyLots: 1 } }) as unknown as MatchingEventV1;
const canceled = (orderId: number): MatchingEventV1 => ({ market: 'BTCUSDT', event: 'canceled', canceled: { orderId } }) as unknown as MatchingEventV1;
const matchingRejected = (orderId: number): MatchingEventV1 => ({ market: 'BTCUSDT', event: 'rejected', rejected: { orderId } }) as unknown as MatchingEventV1;
const settled = (accountId: number, tradeSeq: number, market = 'BTCUSDT'): RiskEventV1 =>
  ({ accountId, market, event: 'positionSettled', positionSettled: { market, tradeSeq } }) as unknown as RiskEventV1;
const riskRejected = (accountId: number, orderId: number): RiskEventV1 => ({ accountId, market: 'BTCUSDT', event: 'orderRejected', orderRejected: { orderId } }) as unknown as RiskEventV1;

describe('CrowdEntryOutcomes', () => {
  it('an entry is settled only when matching ended it and risk settled every one of its fills, in either arrival order', () => {
    const o = new CrowdEntryOutcomes();
    o.onPlaced(100, 7, 'BTCUSDT');
    o.onMatchingEvent(fill(100, 11, 3));
    o.onRiskEvent(settled(7, 11));
    assert.equal(o.pending, 1, 'partly filled, the IOC remainder not ended yet');
    o.onRiskEvent(settled(7, 12)); // risk's settlement overtook matching's fill on another consumer
    assert.equal(o.pending, 1);
    o.onMatchingEvent(fill(100, 12, 0));
    assert.equal(o.pending, 0);
    assert.equal(o.settled, 1);
    o.onMatchingEvent(fill(100, 12, 0)); // a redelivery changes nothing
    assert.equal(o.settled, 1);
  });

  it('an ended entry waits for the settlement of its last fill', () => {
    const o = new CrowdEntryOutcomes();
    o.onPlaced(100, 7, 'BTCUSDT');
    o.onMatchingEvent(fill(100, 11, 2));
    o.onMatchingEvent(canceled(100));
    assert.equal(o.pending, 1, 'matching is done, risk is not');
    o.onRiskEvent(settled(7, 11, 'ETHUSDT'));
    o.onRiskEvent(settled(8, 11));
    assert.equal(o.pending, 1, "another market's or another account's settlement does not count");
    o.onRiskEvent(settled(7, 11));
    assert.equal(o.pending, 0);
  });

  it('an entry refused by risk or by matching, or cancelled unfilled, is settled at once; other orders are not followed', () => {
    const o = new CrowdEntryOutcomes();
    o.onPlaced(100, 7, 'BTCUSDT');
    o.onPlaced(101, 8, 'BTCUSDT');
    o.onPlaced(102, 9, 'BTCUSDT');
    o.onRiskEvent(riskRejected(7, 100));
    o.onMatchingEvent(matchingRejected(101));
    assert.equal(o.pending, 1);
    o.onMatchingEvent(fill(555, 3, 0));
    o.onMatchingEvent(canceled(556));
    assert.equal(o.pending, 1);
    o.onMatchingEvent(canceled(102));
    assert.deepEqual({ placed: o.placed, settled: o.settled, pending: o.pending }, { placed: 3, settled: 3, pending: 0 });
  });

  it('refuses a second entry for an order or an account (its outcome would be ambiguous)', () => {
    const o = new CrowdEntryOutcomes();
    o.onPlaced(100, 7, 'BTCUSDT');
    assert.throws(() => o.onPlaced(100, 8, 'BTCUSDT'), /placed twice/);
    assert.throws(() => o.onPlaced(101, 7, 'ETHUSDT'), /second entry/);
    assert.equal(o.placed, 1);
  });
});
