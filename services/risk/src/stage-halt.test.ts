/**
 * All or nothing, and the halt (stage-halt.ts; issue 9, item 2). On main a fill
 * whose fee credit overflowed threw after both positions had moved, the exception
 * escaped the handler, the matching sequence was already marked seen (so the
 * redelivery was dropped as a duplicate) and money was no longer conserved.
 *
 * The overflow is forced past the deposit bounds by writing the fee account's
 * balance directly — a state the bounds make unreachable, standing in for any
 * internal error the plan catches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCHEMA_MAJOR_V1, type RiskEventV1 } from '@perpcore/proto';
import { RiskHarness, USDT, btcSubticks, btcTicks, fillEvent, riskConfig } from './risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;

/** Maker and Alice funded, BTC index 30,000; the fee account a few USDT short of 2^53. */
function feeAccountNearTheTop(headroomUnits: number, h = new RiskHarness()): RiskHarness {
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(MAKER, 1_000_000 * USDT);
  h.deposit(ALICE, 10_000 * USDT);
  const s = h.engine.state;
  // test-only corruption: the bounds keep this out of reach of any deposit
  s.accounts.balances[0][s.feeSlot] = Number.MAX_SAFE_INTEGER - headroomUnits;
  s.depositedUnits[0] += BigInt(Number.MAX_SAFE_INTEGER - headroomUnits);
  assert.ok(h.engine.audit().ok);
  return h;
}

const positionOf = (h: RiskHarness, accountId: number) => {
  const s = h.engine.state;
  const slot = s.accounts.slotOf(accountId);
  const r = slot < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot], 0);
  return r < 0 ? 0 : s.ledger.qtyLots[r];
};

function assertRefusedWhileHalted(h: RiskHarness): void {
  const hash = h.engine.stateHash();
  const deposit = h.deposit(ALICE, 1 * USDT);
  assert.equal(deposit.event, 'commandRejected');
  assert.equal(deposit.commandRejected!.code, 'RISK_STAGE_HALTED');
  assert.match(deposit.commandRejected!.message, /halted/);
  assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('29000'), lots: 1 }), 'RISK_STAGE_HALTED');
  const dropped = h.engine.halt.eventsDropped;
  h.engine.handleMatchingEvent(fillEvent(h, 99, MAKER, ALICE, 1, btcTicks('30000'), 1));
  h.index('BTCUSDT', btcSubticks('20000'));
  h.engine.advanceTime(h.step());
  assert.equal(h.engine.halt.eventsDropped, dropped + 2, 'the fill and the index were not applied, and counted');
  assert.equal(h.engine.halt.commandsRefused, 2);
  assert.equal(h.engine.stateHash(), hash, 'nothing is applied while halted');
  assert.equal(h.eventsOf('stageHalted').length, 1, 'the halt is published once');
}

const haltEventsOnMarkets = (h: RiskHarness): RiskEventV1[] => h.events.filter((e) => e.event === 'stageHalted' && e.accountId === 0 && e.market !== '');

describe('a fill applies fully or not at all', () => {
  it('a fee credit that would overflow halts the stage before either leg is written', () => {
    const h = feeAccountNearTheTop(10 * USDT); // the maker's 6 USDT fits, the taker's 15 does not
    const hash = h.engine.stateHash();
    const events = h.events.length;
    assert.doesNotThrow(() => h.engine.handleMatchingEvent(fillEvent(h, 1, MAKER, ALICE, 1, btcTicks('30000'), 1000)));
    assert.equal(h.engine.stateHash(), hash, 'neither leg changed');
    assert.equal(positionOf(h, MAKER), 0);
    assert.equal(positionOf(h, ALICE), 0);
    assert.equal(h.events.slice(events).filter((e) => e.event === 'positionSettled').length, 0);

    assert.equal(h.engine.halted, true);
    const [halt] = haltEventsOnMarkets(h);
    assert.ok(halt, 'StageHaltedV1 on the market stream');
    assert.equal(halt.market, 'BTCUSDT');
    const body = halt.stageHalted!;
    assert.equal(body.inputKind, 'matching_event');
    assert.equal(body.inputSeq, 1);
    assert.equal(body.inputMarket, 'BTCUSDT');
    assert.equal(body.inputAccountId, ALICE);
    assert.equal(body.errorName, 'RangeError');
    assert.match(body.reason, /fee account/);

    const audit = h.engine.audit();
    assert.equal(audit.ok, false, 'a halted stage is never reported conserved');
    assert.match(audit.problems[0], /halted/);
    assert.equal(h.engine.state.markets[0].lastMatchingSeq, 0, 'the halting input is not recorded as seen');
    assertRefusedWhileHalted(h);
  });

  it('an error after the first write still halts, and nothing escapes for the bus to re-deliver', () => {
    // the output port fails once, on the first leg's event: the leg is written, the rest is not
    let failures = 1;
    const h = new RiskHarness();
    const inner = (h.engine.state.events as unknown as { ports: { publish(e: RiskEventV1): void } }).ports;
    const publish = inner.publish.bind(inner);
    inner.publish = (e) => {
      if (e.event === 'positionSettled' && failures-- > 0) throw new Error('output port failed');
      publish(e);
    };
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(ALICE, 10_000 * USDT);
    assert.doesNotThrow(() => h.engine.handleMatchingEvent(fillEvent(h, 1, MAKER, ALICE, 1, btcTicks('30000'), 1000)));
    assert.equal(h.engine.halted, true);
    assert.equal(haltEventsOnMarkets(h)[0]!.stageHalted!.reason, 'output port failed');
    assert.equal(h.engine.audit().ok, false, 'the half-written fill is not reported conserved');
    assertRefusedWhileHalted(h);
  });

  it('a reject is not a halt, and a redelivered input is still dropped once applied', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(ALICE, 10_000 * USDT);
    assert.equal(h.withdraw(ALICE, 1_000_000 * USDT).commandRejected!.code, 'RISK_INSUFFICIENT_BALANCE');
    h.engine.handleMatchingEvent(fillEvent(h, 1, MAKER, ALICE, 1, btcTicks('30000'), 10));
    const hash = h.engine.stateHash();
    h.engine.handleMatchingEvent(fillEvent(h, 1, MAKER, ALICE, 1, btcTicks('30000'), 10));
    assert.equal(h.engine.duplicatesDropped, 1);
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(h.engine.halted, false);
    assert.ok(h.engine.audit().ok);
  });

  it('an account command that fails internally halts with its identity, and its seq stays unrecorded', () => {
    const h = new RiskHarness(riskConfig());
    h.deposit(ALICE, 10 * USDT);
    const commands = h.engine.commands as unknown as { apply(cmd: unknown): string };
    const apply = commands.apply.bind(commands);
    commands.apply = () => {
      throw new TypeError('bug in a command');
    };
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId: ALICE, seq: 41, tsNs: h.step(), source: 'gateway-7', commandId: 5, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 1 } } as never;
    assert.doesNotThrow(() => h.engine.handleAccountCommand(cmd));
    commands.apply = apply;
    assert.equal(h.events.at(-1)!.commandRejected!.code, 'RISK_STAGE_HALTED', 'the halting command is answered too');
    const [halt] = h.eventsOf('stageHalted');
    assert.ok(halt, 'a halt naming no market goes on the stage stream (market "")');
    assert.equal(halt.market, '');
    assert.deepEqual(
      { kind: halt.stageHalted!.inputKind, source: halt.stageHalted!.inputSource, seq: halt.stageHalted!.inputSeq, account: halt.stageHalted!.inputAccountId, error: halt.stageHalted!.errorName },
      { kind: 'account_command', source: 'gateway-7', seq: 41, account: ALICE, error: 'TypeError' },
    );
    // the redelivery is refused as halted, not dropped as a duplicate
    const before = h.engine.duplicatesDropped;
    h.engine.handleAccountCommand(cmd);
    assert.equal(h.engine.duplicatesDropped, before);
    assert.equal(h.events.at(-1)!.commandRejected!.code, 'RISK_STAGE_HALTED');
  });
});
