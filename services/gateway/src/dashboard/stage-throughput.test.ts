import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiquidationEventV1, MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import { StageThroughput } from './stage-throughput.js';

const matching = (event: string) => ({ event }) as MatchingEventV1;
const risk = (event: string) => ({ event }) as RiskEventV1;

describe('stage throughput for the dashboard', () => {
  it('counts per stage and turns the counts since the last sample into per-second rates', () => {
    const t = new StageThroughput(10_000);
    for (let i = 0; i < 30; i++) t.onMatchingEvent(matching(i % 3 === 0 ? 'filled' : 'accepted'));
    for (let i = 0; i < 8; i++) t.onRiskEvent(risk(i < 6 ? 'positionSettled' : 'markPrice'));
    t.onLiquidationEvent({ event: 'fill' } as LiquidationEventV1);
    t.onOracleEvent();
    const rate = (rows: ReturnType<StageThroughput['sample']>) => rows.map((r) => `${r.stage} ${r.what} ${r.perSecond}/s of ${r.total}`);
    // half a second: rates are doubled
    assert.deepEqual(rate(t.sample(10_500)), [
      'matching events 60/s of 30',
      'matching fills 20/s of 10',
      'risk events 16/s of 8',
      'risk settlements 12/s of 6',
      'risk mark prices 4/s of 2',
      'liquidation events 2/s of 1',
      'oracle index prices 2/s of 1',
    ]);
    t.onMatchingEvent(matching('filled'));
    const next = t.sample(12_500);
    assert.deepEqual(next.slice(0, 2).map((r) => [r.perSecond, r.total]), [
      [1, 31],
      [1, 11],
    ]);
    assert.equal(next[2].perSecond, 0);
  });
});
