/**
 * The risk service on the in-process bus with every message encoded and decoded
 * (codecRoundTrip): account commands and index prices in, risk events and matching
 * commands out on their topics, fills back from matching's topic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, type MatchingEventV1, type OracleEventV1, type RiskEventV1, perpcore } from '@perpcore/proto';
import { createRiskService } from './create-risk-service.js';
import { USDT, btcSubticks, btcTicks, riskConfig } from './risk-harness.test-support.js';

const WireSide = perpcore.common.v1.Side;
const T0 = 1_700_000_000_000_000_000;

describe('risk service on the bus', () => {
  it('answers commands, forwards accepted orders to matching and settles fills from matching’s topic', async () => {
    const bus = new InProcessBus({ codecRoundTrip: true });
    const service = await createRiskService({ bus, config: riskConfig(), logger: createLogger('risk-test', 'silent') });
    const accountEvents: RiskEventV1[] = [];
    const marketEvents: RiskEventV1[] = [];
    const toMatching: MatchingCommandV1[] = [];
    await bus.subscribe(Topics.riskAccountEvents, { groupId: 'probe', fromBeginning: true }, (m) => void accountEvents.push(m.value));
    await bus.subscribe(Topics.riskMarketEvents, { groupId: 'probe', fromBeginning: true }, (m) => void marketEvents.push(m.value));
    await bus.subscribe(Topics.matchingCommands, { groupId: 'probe', fromBeginning: true }, (m) => void toMatching.push(m.value));

    bus.publish(Topics.oracleIndexPrices, { schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs: T0, source: 'oracle-0', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks: btcSubticks('30000'), sources: [] } } as unknown as OracleEventV1);
    for (const [accountId, seq] of [[1, 1], [2, 2]]) {
      bus.publish(Topics.gatewayAccountCommands, { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq, tsNs: T0 + seq, source: 'gateway-0', commandId: seq, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 10_000 * USDT } } as AccountCommandV1);
    }
    bus.publish(Topics.gatewayOrderCommands, {
      schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: 1, tsNs: T0 + 10, source: 'gateway-0', command: 'place',
      place: { orderId: 7, accountId: 1, side: WireSide.SIDE_BUY, type: 1, timeInForce: 1, priceTicks: btcTicks('30000'), qtyLots: 100, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: 'c7', liquidationId: 0 },
    } as unknown as MatchingCommandV1);
    await bus.flush();
    assert.equal(marketEvents[0]?.event, 'markPrice');
    assert.deepEqual(accountEvents.map((e) => e.event), ['commandAccepted', 'commandAccepted']);
    assert.equal(toMatching.length, 1);
    assert.equal(toMatching[0].source, 'risk-0');
    assert.equal(toMatching[0].place?.clientOrderId, 'c7');

    const fill = {
      schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: 2, tsNs: T0 + 20, inputSource: 'risk-0', inputSeq: 1, event: 'filled',
      filled: { tradeSeq: 1, makerOrderId: 7, makerAccountId: 1, takerOrderId: 8, takerAccountId: 2, takerSide: WireSide.SIDE_SELL, priceTicks: btcTicks('30000'), qtyLots: 100, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
    } as unknown as MatchingEventV1;
    bus.publish(Topics.matchingEvents, fill);
    bus.publish(Topics.matchingEvents, fill); // redelivered: applied once
    await bus.flush();
    const settled = accountEvents.filter((e) => e.event === 'positionSettled');
    assert.deepEqual(settled.map((e) => [e.accountId, e.positionSettled?.positionAfterLots]), [[1, 100], [2, -100]]);
    assert.equal(service.engine.duplicatesDropped, 1);
    assert.ok(service.engine.audit().ok);
    await service.close();
  });

  it('on a halt: logs it at fatal with the input, and with stopConsumingOnHalt reads nothing more', async () => {
    const bus = new InProcessBus({ codecRoundTrip: true });
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('risk-test', 'info', { destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const service = await createRiskService({ bus, config: riskConfig(), logger, stopConsumingOnHalt: true });
    const accountEvents: RiskEventV1[] = [];
    await bus.subscribe(Topics.riskAccountEvents, { groupId: 'probe', fromBeginning: true }, (m) => void accountEvents.push(m.value));
    const deposit = (seq: number) => ({ schemaMajor: SCHEMA_MAJOR_V1, accountId: 1, seq, tsNs: T0 + seq, source: 'gateway-0', commandId: seq, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 10 * USDT } }) as AccountCommandV1;
    const commands = service.engine.commands as unknown as { apply(cmd: unknown): string };
    commands.apply = () => {
      throw new RangeError('forced internal error');
    };
    bus.publish(Topics.gatewayAccountCommands, deposit(1));
    await bus.flush();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the subscriptions close after the handler returned
    const fatal = lines.find((l) => l.level === 60 && String(l.msg).includes('halted'));
    assert.ok(fatal, 'logged at fatal');
    assert.deepEqual(fatal.input, { kind: 'account_command', source: 'gateway-0', seq: 1, market: '', accountId: 1, tsNs: T0 + 1 });
    const answered = accountEvents.length;
    bus.publish(Topics.gatewayAccountCommands, deposit(2));
    await bus.flush();
    assert.equal(accountEvents.length, answered, 'the stopped shard reads no more input');
    assert.equal(service.engine.halt.commandsRefused, 1, 'only the halting command was answered (refused)');
    await service.close();
  });

  it('publishes a refused index on the market topic, wire-valid, and logs it at warn with its reason', async () => {
    const bus = new InProcessBus({ codecRoundTrip: true });
    const lines: string[] = [];
    const logger = createLogger('risk-test', 'warn', { destination: { write: (line: string) => lines.push(line) } });
    const service = await createRiskService({ bus, config: riskConfig(), logger });
    const marketEvents: RiskEventV1[] = [];
    await bus.subscribe(Topics.riskMarketEvents, { groupId: 'probe', fromBeginning: true }, (m) => void marketEvents.push(m.value));
    const index = (source: string, tsNs: number, priceSubticks: number) =>
      bus.publish(Topics.oracleIndexPrices, { schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs, source, symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks, sources: [] } } as unknown as OracleEventV1);
    index('oracle-0', T0, btcSubticks('30000'));
    index('oracle-1', T0 - 1_000_000_000, btcSubticks('29000')); // a second late
    await bus.flush();
    assert.deepEqual(marketEvents.map((e) => e.event), ['markPrice', 'indexPriceRejected']);
    const rejected = marketEvents[1].indexPriceRejected!;
    assert.deepEqual([rejected.reason, rejected.inputSource, rejected.tsNs, rejected.lastAppliedTsNs], [perpcore.risk.v1.IndexPriceRejectReason.INDEX_PRICE_REJECT_REASON_STALE, 'oracle-1', T0 - 1_000_000_000, T0]);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reason !== undefined);
    assert.equal(logged.length, 1);
    assert.deepEqual([logged[0].level, logged[0].symbol, logged[0].reason, logged[0].inputSource, logged[0].inputSeq], [40, 'BTCUSDT', 'STALE', 'oracle-1', 1]);
    assert.match(String(logged[0].msg), /^index price refused: index stamped .* is not newer than the last applied/);
    assert.deepEqual(service.engine.indexGate.rejectedByReason, { STALE: 1, INVALID_PRICE: 0, PRICE_OUT_OF_RANGE: 0, INVALID_TIMESTAMP: 0, UNKNOWN_SYMBOL: 0 });
    await service.close();
  });
});
