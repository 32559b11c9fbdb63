/**
 * The publisher never puts an invalid index on the wire (issue 9 item 5, oracle
 * side): a bad quote is refused with ORACLE_INVALID_PRICE and consumes no
 * sequence number; an instant is published once; time is a positive integer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import type { DomainError } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import { type OracleEventV1, oracleEventCodec } from '@perpcore/proto';
import { createOracleService } from './create-oracle-service.js';
import { IndexPricePublisher } from './index-price-publisher.js';
import type { IndexQuote, PriceFeed } from './price-feed.js';

const T0 = 1_700_000_000_000_000_000;
const SECOND = 1_000_000_000;

/** BTCUSDT quotes whatever `btc` says; ETHUSDT is always 2,000.00. */
function feedOf(btc: () => Partial<IndexQuote>): PriceFeed {
  return {
    symbols: ['BTCUSDT', 'ETHUSDT'],
    quoteAt: (symbol) =>
      symbol === 'BTCUSDT'
        ? { symbol, priceSubticks: 30_000_000, sources: [{ source: 'spot-a', priceSubticks: 30_000_000, weightE8: 100_000_000, used: true }], ...btc() }
        : { symbol, priceSubticks: 2_000_000, sources: [] },
  };
}

function wireChecked(events: OracleEventV1[]) {
  return (e: OracleEventV1) => {
    assert.ok(oracleEventCodec.decode(oracleEventCodec.encode(e)).ok);
    events.push(e);
  };
}

describe('index price publisher: validation', () => {
  const bad: [string, Partial<IndexQuote>, RegExp][] = [
    ['a zero index', { priceSubticks: 0 }, /BTCUSDT at \d+: index price 0 is not a positive safe integer/],
    ['a negative index', { priceSubticks: -5 }, /index price -5 is not a positive/],
    ['a NaN index', { priceSubticks: Number.NaN }, /index price NaN is not a positive/],
    ['a fractional index', { priceSubticks: 30_000_000.5 }, /index price 30000000\.5 is not/],
    ['an index beyond 2^53', { priceSubticks: 2 ** 53 }, /index price 9007199254740992 is not/],
    ['a source price of zero', { sources: [{ source: 'spot-b', priceSubticks: 0, weightE8: 1, used: false }] }, /source spot-b price 0 is not a positive/],
    ['a negative source weight', { sources: [{ source: 'spot-c', priceSubticks: 1, weightE8: -1, used: true }] }, /source spot-c weightE8 -1 is not a non-negative/],
  ];
  for (const [name, quote, message] of bad) {
    it(`refuses ${name}: reported, not published, its seq left; the other symbols go out`, () => {
      let current: Partial<IndexQuote> = quote;
      const events: OracleEventV1[] = [];
      const errors: DomainError[] = [];
      const publisher = new IndexPricePublisher({ feed: feedOf(() => current), source: 'oracle-0', publish: wireChecked(events), onInvalidQuote: (e) => errors.push(e) });
      assert.equal(publisher.publishAt(T0), 1);
      assert.deepEqual(events.map((e) => [e.symbol, e.seq]), [['ETHUSDT', 1]]);
      assert.deepEqual(errors.map((e) => e.code), ['ORACLE_INVALID_PRICE']);
      assert.match(errors[0].message, message);
      assert.equal(publisher.lastSeq('BTCUSDT'), 0);
      current = {};
      assert.equal(publisher.publishAt(T0 + SECOND), 2);
      assert.deepEqual(events.slice(1).map((e) => [e.symbol, e.seq]), [['BTCUSDT', 1], ['ETHUSDT', 2]]);
    });
  }

  it('throws before publishing anything of that instant when no one takes the report', () => {
    const events: OracleEventV1[] = [];
    let price = 0;
    const publisher = new IndexPricePublisher({ feed: feedOf(() => ({ priceSubticks: price })), source: 'oracle-0', publish: wireChecked(events) });
    assert.throws(() => publisher.publishAt(T0), (e: DomainError) => e.code === 'ORACLE_INVALID_PRICE');
    assert.equal(events.length, 0);
    price = 30_000_000;
    assert.equal(publisher.publishAt(T0), 2, 'the refused instant was not taken: it can still be published');
  });

  it('publishes an instant once, and refuses a time that is not a positive integer below 2^63', () => {
    const events: OracleEventV1[] = [];
    const publisher = new IndexPricePublisher({ feed: feedOf(() => ({})), source: 'oracle-0', publish: wireChecked(events) });
    assert.equal(publisher.publishAt(T0), 2);
    assert.equal(publisher.publishAt(T0), 0);
    assert.equal(events.length, 2);
    for (const tsNs of [0, -1, Number.NaN, 1.5, 2 ** 63]) {
      assert.throws(() => publisher.publishAt(tsNs), (e: DomainError) => e.code === 'ORACLE_INVALID_TIME', String(tsNs));
    }
  });

  it('the oracle service logs a refused quote at error and publishes the rest', async () => {
    const bus = new InProcessBus({ codecRoundTrip: true });
    const seen: OracleEventV1[] = [];
    await bus.subscribe(Topics.oracleIndexPrices, { groupId: 'probe', fromBeginning: true }, (m) => void seen.push(m.value));
    const lines: string[] = [];
    const logger = createLogger('oracle-test', 'warn', { destination: { write: (line: string) => lines.push(line) } });
    const oracle = createOracleService({ bus, feed: feedOf(() => ({ priceSubticks: Number.NaN })), logger });
    assert.equal(oracle.publishAt(T0), 1);
    await bus.flush();
    assert.deepEqual(seen.map((e) => e.symbol), ['ETHUSDT']);
    const errors = lines.map((l) => JSON.parse(l) as { level: number; code?: string; msg: string }).filter((l) => l.level === 50);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'ORACLE_INVALID_PRICE');
    assert.match(errors[0].msg, /^index price not published: Condition failed: BTCUSDT at \d+: index price NaN/);
  });
});
