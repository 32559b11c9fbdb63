/**
 * The engine fuzz's driver: the whole embedded pipeline (matching, risk pre-trade
 * and settlement, margin watch, liquidation engine, over the in-process bus) fed
 * `FuzzInput`s as a gateway and two oracles would, with a small model of what must
 * happen, and the invariants checked after every input and every event.
 *
 * Checks (the first failure ends the run; `failure` holds it):
 * - after every event on every output topic: the risk audit holds to the unit
 *   (money, open interest per market, funding residue) and every money and size
 *   column is a safe integer;
 * - after every input: no exception escaped a stage, no stage halted; an input
 *   refused by risk (`commandRejected`, `orderRejected`) or by matching (`rejected`
 *   for the order) left the risk `stateHash()` unchanged; a redelivered or late
 *   envelope (a sequence number its stream already applied) changed neither the
 *   risk nor the matching state;
 * - a consumer folding the risk events knows every trader's wallet and isolated
 *   bucket exactly (every change of a balance is in an event);
 * - the model: an input it refuses (system account deposits, malformed amounts,
 *   prices, sizes, leverage, modes, unknown markets and accounts) was not applied;
 *   a fresh valid index became the market's index; a stale (older than the last
 *   applied, from either source) or invalid index changed nothing. An index that
 *   was not applied does not consume its sequence number: the oracle's next index
 *   reuses it.
 */
import { Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, sideToWire, type AccountCommandV1, type MatchingCommandV1, type OracleEventV1 } from '@perpcore/proto';
import { Side, TriggerSource } from '@perpcore/domain';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';
import {
  FUZZ_FEE_ACCOUNT,
  FUZZ_FUND_ACCOUNT,
  FUZZ_MAKER,
  FUZZ_MARKETS,
  FUZZ_TRADERS,
  type FuzzInput,
  type FuzzSetup,
  type OrderRef,
  type PriceRef,
  type QtyRef,
} from './fuzz-inputs.test-support.js';
import { type FuzzCheck, type FuzzFailure, type FuzzOutcome, FuzzTally, fuzzJson } from './fuzz-tally.test-support.js';
import { FuzzEventWatch } from './fuzz-event-watch.test-support.js';

const START_NS = 1_767_225_600_000_000_000;
const STEP_NS = 50_000_000;
const USDT = 1_000_000;
const GATEWAY = 'gateway-fuzz';
const ORACLES = ['oracle-0', 'oracle-1'];
const START_PRICE_TICKS: Record<string, number> = { BTCUSDT: 300_000, ETHUSDT: 200_000 };
const MAKER_LOTS: Record<string, number> = { BTCUSDT: 2_000, ETHUSDT: 2_000 };
const SYSTEM_ACCOUNTS: ReadonlySet<number> = new Set([FUZZ_FEE_ACCOUNT, FUZZ_FUND_ACCOUNT]);
const REPLAY_WINDOW = 16;

type Topic = typeof Topics.gatewayAccountCommands | typeof Topics.gatewayOrderCommands | typeof Topics.oracleIndexPrices;
interface Sent {
  readonly topic: Topic;
  readonly value: AccountCommandV1 | MatchingCommandV1 | OracleEventV1;
}

/** What the model expects of one published envelope. */
interface Expect {
  /** Must not be applied (the model refuses it). */
  refuse: string;
  /** A redelivery or a late envelope: must change no stage's state. */
  duplicate: boolean;
  /** For an index: the price that must become the market's index ('' when none must). */
  indexMarket: string;
  indexSubticks: number;
  indexTsNs: number;
}

const isPositiveSafe = (v: number) => Number.isSafeInteger(v) && v > 0;

/** The pipeline a fuzz run drives (shared with tests that rebuild it, e.g. from a snapshot). */
export function fuzzPipelineOptions(setup: FuzzSetup): PipelineOptions {
  const venue = defaultVenueMarkets(defaultMarketSpecs, setup.markMethod === 'INDEX' ? { markMethod: 'INDEX' } : {});
  return { logger: createLogger('fuzz', 'silent'), venue, adlRefreshMs: 1_000, insuranceFundSeedUnits: setup.fundSeedUsdt * USDT };
}

export class EngineFuzzDriver {
  readonly tally = new FuzzTally();
  failure: FuzzFailure | null = null;
  private tsNs = START_NS;
  private seq = 0;
  private nextOrderId = 1_000;
  private readonly sent: Sent[] = [];
  /** Last applied gateway seq per dedup stream (risk: (source, account) and (source, account, market)). */
  private readonly appliedSeq = new Map<string, number>();
  private readonly indexSeq = new Map<string, number>();
  private readonly ordersOf = new Map<number, { market: string; orderId: number; buy: boolean }[]>();
  private readonly allOrders: { market: string; orderId: number; accountId: number; buy: boolean }[] = [];
  private inputIndex = -1;

  private input: FuzzInput = { kind: 'time', seconds: 0 };

  private constructor(
    readonly pipeline: Pipeline,
    private readonly watch: FuzzEventWatch,
    private readonly tolerate: (failure: FuzzFailure) => boolean,
  ) {}

  /**
   * `tolerate`: failures it accepts are tallied but do not end the run, to dig past
   * known defects in local runs. The CI suite tolerates none.
   */
  static async open(setup: FuzzSetup, tolerate: (failure: FuzzFailure) => boolean = () => false, onPipeline?: (pipeline: Pipeline) => Promise<void>): Promise<EngineFuzzDriver> {
    const pipeline = await createPipeline(fuzzPipelineOptions(setup));
    await onPipeline?.(pipeline);
    const watch = await FuzzEventWatch.attach(pipeline);
    const d = new EngineFuzzDriver(pipeline, watch, tolerate);
    d.tally.runs = 1;
    const setupInputs: FuzzInput[] = [];
    for (const m of FUZZ_MARKETS) setupInputs.push({ kind: 'index', market: m, source: 0, bp: 0, staleMs: 0, rawSubticks: (START_PRICE_TICKS[m] as number) * pipeline.subticksPerTick(m) });
    setupInputs.push({ kind: 'deposit', accountId: FUZZ_MAKER, asset: 'USDT', amountUnits: 10_000_000 * USDT });
    for (const m of FUZZ_MARKETS) setupInputs.push({ kind: 'setLeverage', accountId: FUZZ_MAKER, market: m, leverage: 20 });
    FUZZ_TRADERS.forEach((t, i) => {
      setupInputs.push({ kind: 'deposit', accountId: t, asset: 'USDT', amountUnits: (setup.traderDepositsUsdt[i] as number) * USDT });
      for (const m of FUZZ_MARKETS) setupInputs.push({ kind: 'setLeverage', accountId: t, market: m, leverage: Math.min(setup.traderLeverage[i] as number, 75) });
      if (setup.isolatedTraders[i] === true) setupInputs.push({ kind: 'setMarginMode', accountId: t, market: 'BTCUSDT', mode: 2 });
    });
    for (const m of FUZZ_MARKETS) setupInputs.push({ kind: 'quote', market: m });
    for (const input of setupInputs) d.apply(input, -1);
    return d;
  }

  /** Applies one input and checks it; false once a check has failed (later inputs are ignored). */
  apply(input: FuzzInput, inputIndex: number): boolean {
    if (this.failure !== null) return false;
    this.inputIndex = inputIndex;
    this.input = input;
    if (inputIndex >= 0) this.tally.inputs++;
    this.tsNs += STEP_NS;
    this.run(input);
    return this.failure === null;
  }

  async close(): Promise<void> {
    this.tally.events = this.watch.events;
    this.tally.invariantChecks = this.watch.checks;
    const c = this.pipeline.liquidation.engine.counters;
    const a = this.tally.activity;
    a.liquidations = c.triggered;
    a.takeovers = c.takeovers;
    a.deleveragedLegs = c.deleveragedLegs;
    a.fundingSettlements = this.watch.fundingSettlements;
    for (const m of FUZZ_MARKETS) a.fills += this.pipeline.matching.engine.stream(m)?.fills ?? 0;
    try {
      await this.pipeline.close();
    } catch (error) {
      // the bus redelivers the message whose handler threw when it flushes at close: that failure is recorded already
      if (this.failure?.check !== 'exception') throw error;
    }
  }

  // ---- resolving inputs into envelopes ------------------------------------------

  private run(input: FuzzInput): void {
    switch (input.kind) {
      case 'deposit':
      case 'withdraw':
      case 'setLeverage':
      case 'setMarginMode':
      case 'adjustIsolated':
        return this.account(input, this.nextSeq(), false);
      case 'place':
      case 'amend':
      case 'cancel':
      case 'cancelAll':
        return this.order(input, this.nextSeq(), false);
      case 'quote':
        return this.quote(input.market);
      case 'index':
        return this.index(input);
      case 'time':
        this.tsNs += input.seconds * 1e9;
        this.publish(input.kind, null, () => this.pipeline.risk.advanceTime(this.tsNs), { refuse: '', duplicate: false, indexMarket: '', indexSubticks: 0, indexTsNs: 0 });
        return;
      case 'replay': {
        const sent = this.sent[this.sent.length - 1 - (input.back % Math.max(1, this.sent.length))];
        if (sent === undefined) return;
        this.publish(input.kind, sent.value, () => this.pipeline.bus.publish(sent.topic, structuredClone(sent.value)), { refuse: 'a redelivery', duplicate: true, indexMarket: '', indexSubticks: 0, indexTsNs: 0 });
        return;
      }
      case 'late': {
        const inner = input.inner;
        if (inner.kind === 'deposit' || inner.kind === 'withdraw' || inner.kind === 'setLeverage' || inner.kind === 'setMarginMode' || inner.kind === 'adjustIsolated') {
          const seq = this.appliedSeq.get(`a:${inner.accountId}`);
          return seq === undefined ? this.account(inner, this.nextSeq(), false) : this.account(inner, seq, true);
        }
        if (inner.kind === 'place' || inner.kind === 'amend' || inner.kind === 'cancel' || inner.kind === 'cancelAll') {
          const seq = this.appliedSeq.get(`o:${inner.accountId}:${inner.market}`);
          return seq === undefined ? this.order(inner, this.nextSeq(), false) : this.order(inner, seq, true);
        }
        return this.run(inner);
      }
    }
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  private account(input: Extract<FuzzInput, { accountId: number; kind: 'deposit' | 'withdraw' | 'setLeverage' | 'setMarginMode' | 'adjustIsolated' }>, seq: number, late: boolean): void {
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId: input.accountId, seq, tsNs: this.tsNs, source: GATEWAY, commandId: seq } as AccountCommandV1;
    let refuse = '';
    const known = this.pipeline.risk.engine.state.accounts.slotOf(input.accountId) >= 0;
    const validAccount = Number.isInteger(input.accountId) && input.accountId >= 1;
    const listed = FUZZ_MARKETS.includes((input as { market?: string }).market ?? '');
    switch (input.kind) {
      case 'deposit':
        cmd.command = 'deposit';
        cmd.deposit = { asset: input.asset, amountUnits: input.amountUnits } as never;
        if (SYSTEM_ACCOUNTS.has(input.accountId)) refuse = 'a deposit to a system account';
        else if (!validAccount) refuse = 'account id 0';
        else if (!isPositiveSafe(input.amountUnits)) refuse = 'a malformed amount';
        else if (input.asset !== 'USDT') refuse = 'an unknown asset';
        else if (!Number.isSafeInteger(this.walletUnits(input.accountId) + input.amountUnits)) refuse = 'a balance beyond 2^53 − 1';
        break;
      case 'withdraw':
        cmd.command = 'withdraw';
        cmd.withdraw = { asset: input.asset, amountUnits: input.amountUnits } as never;
        if (!known) refuse = 'an unknown account';
        else if (SYSTEM_ACCOUNTS.has(input.accountId)) refuse = 'a withdrawal from a system account';
        else if (!isPositiveSafe(input.amountUnits)) refuse = 'a malformed amount';
        else if (input.amountUnits > this.walletUnits(input.accountId) && input.asset === 'USDT') refuse = 'more than the wallet';
        break;
      case 'setLeverage':
        cmd.command = 'setLeverage';
        cmd.setLeverage = { market: input.market, leverage: input.leverage } as never;
        if (!listed) refuse = 'an unknown market';
        else if (!Number.isInteger(input.leverage) || input.leverage < 1 || input.leverage > 125) refuse = 'a leverage outside 1..125';
        break;
      case 'setMarginMode':
        cmd.command = 'setMarginMode';
        cmd.setMarginMode = { market: input.market, mode: input.mode } as never;
        if (!listed) refuse = 'an unknown market';
        else if (input.mode !== 1 && input.mode !== 2) refuse = 'an undefined margin mode';
        break;
      case 'adjustIsolated':
        cmd.command = 'adjustIsolatedMargin';
        cmd.adjustIsolatedMargin = { market: input.market, deltaUnits: input.deltaUnits } as never;
        if (!listed) refuse = 'an unknown market';
        else if (!Number.isSafeInteger(input.deltaUnits) || input.deltaUnits === 0) refuse = 'a malformed amount';
        break;
    }
    const outcome = this.publish(input.kind, cmd, () => this.pipeline.bus.publish(Topics.gatewayAccountCommands, cmd), { refuse: late ? 'a late envelope' : refuse, duplicate: late, indexMarket: '', indexSubticks: 0, indexTsNs: 0 });
    this.remember({ topic: Topics.gatewayAccountCommands, value: cmd });
    if (outcome === 'applied') this.appliedSeq.set(`a:${input.accountId}`, seq);
  }

  private order(input: Extract<FuzzInput, { kind: 'place' | 'amend' | 'cancel' | 'cancelAll' }>, seq: number, late: boolean, orderIdOut?: { id: number }): void {
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market: input.market, seq, tsNs: this.tsNs, source: GATEWAY } as MatchingCommandV1;
    const spec = defaultMarketSpecs.find((s) => s.symbol === input.market);
    const accountOk = this.pipeline.risk.engine.state.accounts.slotOf(input.accountId) >= 0 && !SYSTEM_ACCOUNTS.has(input.accountId);
    let refuse = spec === undefined ? 'an unknown market' : accountOk ? '' : 'an unknown or system account';
    const priceOk = (t: number) => spec !== undefined && Number.isSafeInteger(t) && t >= 1 && t <= spec.maxPriceTicks;
    const qtyOk = (q: number) => spec !== undefined && Number.isSafeInteger(q) && q >= 1 && q <= spec.maxQtyLots;
    let orderId = 0;
    switch (input.kind) {
      case 'place': {
        const reused = input.reuseId === null ? undefined : this.pick(this.ordersOf.get(input.accountId) ?? [], input.reuseId);
        orderId = reused?.orderId ?? this.nextOrderId++;
        const marketOrder = input.type === 2 || input.type === 3 || input.type === 5;
        const priceTicks = marketOrder && 'bp' in input.price ? 0 : this.priceTicks(input.market, input.price, input.buy);
        const qtyLots = this.qtyLots(input.accountId, input.market, input.qty, priceTicks || this.priceTicks(input.market, { bp: 0 }));
        const stop = input.type >= 3 && input.type <= 6;
        cmd.command = 'place';
        cmd.place = {
          orderId,
          accountId: input.accountId,
          side: sideToWire(input.buy ? Side.Buy : Side.Sell),
          type: input.type,
          timeInForce: input.timeInForce,
          priceTicks,
          qtyLots,
          triggerPriceTicks: stop ? this.priceTicks(input.market, { bp: input.buy ? 50 : -50 }) : 0,
          triggerSource: TriggerSource.LastTrade,
          selfTradePrevention: input.selfTradePrevention,
          reduceOnly: input.reduceOnly,
          clientOrderId: '',
          liquidationId: 0,
        } as never;
        if (refuse === '' && ((!marketOrder && !priceOk(priceTicks)) || !qtyOk(qtyLots))) refuse = 'a price or size outside the market grid';
        if (refuse === '' && (input.type < 1 || input.type > 6 || input.timeInForce < 1 || input.timeInForce > 4)) refuse = 'an undefined order type or time in force';
        break;
      }
      case 'amend': {
        const target = this.resolveOrder(input.accountId, input.market, input.order);
        orderId = target.orderId;
        const priceTicks = this.priceTicks(input.market, input.price, target.buy);
        const qtyLots = this.qtyLots(input.accountId, input.market, input.qty, priceTicks);
        cmd.command = 'amend';
        cmd.amend = { orderId, accountId: input.accountId, priceTicks, qtyLots } as never;
        if (refuse === '' && (!priceOk(priceTicks) || !qtyOk(qtyLots))) refuse = 'a price or size outside the market grid';
        break;
      }
      case 'cancel':
        orderId = this.resolveOrder(input.accountId, input.market, input.order).orderId;
        cmd.command = 'cancel';
        cmd.cancel = { orderId, accountId: input.accountId } as never;
        break;
      case 'cancelAll':
        cmd.command = 'cancelAll';
        cmd.cancelAll = { accountId: input.accountId, reason: 1 } as never;
        break;
    }
    if (orderIdOut !== undefined) orderIdOut.id = orderId;
    const outcome = this.publish(input.kind, cmd, () => this.pipeline.bus.publish(Topics.gatewayOrderCommands, cmd), { refuse: late ? 'a late envelope' : refuse, duplicate: late, indexMarket: '', indexSubticks: 0, indexTsNs: 0 }, orderId, input.accountId);
    this.remember({ topic: Topics.gatewayOrderCommands, value: cmd });
    if (outcome === 'applied' || (outcome === 'refused' && this.watch.refusedBy === 'matching')) this.appliedSeq.set(`o:${input.accountId}:${input.market}`, seq);
    if (input.kind === 'place' && !late) {
      let list = this.ordersOf.get(input.accountId);
      if (list === undefined) this.ordersOf.set(input.accountId, (list = []));
      list.push({ market: input.market, orderId, buy: input.buy });
      this.allOrders.push({ market: input.market, orderId, accountId: input.accountId, buy: input.buy });
    }
  }

  /** The maker cancels its quotes in `market` and posts a fresh ladder 0.1%, 0.3% and 1% either side of the index. */
  private quote(market: string): void {
    this.order({ kind: 'cancelAll', accountId: FUZZ_MAKER, market }, this.nextSeq(), false);
    for (const bp of [10, 30, 100]) {
      for (const buy of [true, false]) {
        if (this.failure !== null) return;
        this.order(
          { kind: 'place', accountId: FUZZ_MAKER, market, buy, type: 1, timeInForce: 1, price: { bp: -bp }, qty: { rawLots: MAKER_LOTS[market] as number }, reduceOnly: false, selfTradePrevention: 1, reuseId: null },
          this.nextSeq(),
          false,
        );
      }
    }
  }

  private index(input: Extract<FuzzInput, { kind: 'index' }>): void {
    const source = ORACLES[input.source % ORACLES.length] as string;
    const market = this.pipeline.risk.engine.state.markets[FUZZ_MARKETS.indexOf(input.market)];
    if (market === undefined) return;
    const spt = this.pipeline.subticksPerTick(input.market);
    const current = market.indexSubticks > 0 ? market.indexSubticks : (START_PRICE_TICKS[input.market] as number) * spt;
    const moved = Math.round((current * (10_000 + input.bp)) / 10_000);
    const priceSubticks = input.rawSubticks ?? Math.min(Math.max(spt, moved), 5_000_000 * spt);
    const stale = input.staleMs > 0 && market.indexTsNs > 0;
    const tsNs = stale ? market.indexTsNs - input.staleMs * 1e6 : this.tsNs;
    const key = `${source}\u0000${input.market}`;
    const seq = (this.indexSeq.get(key) ?? 0) + 1;
    const event = {
      schemaMajor: SCHEMA_MAJOR_V1,
      seq,
      tsNs,
      source,
      symbol: input.market,
      event: 'indexPrice',
      indexPrice: { priceSubticks, sources: [{ source: 'fuzz', priceSubticks, weightE8: 100_000_000, used: true }] },
    } as OracleEventV1;
    const valid = isPositiveSafe(priceSubticks) && !stale;
    const refuse = !isPositiveSafe(priceSubticks) ? 'an invalid index price' : stale ? 'a stale index' : '';
    this.publish(input.kind, event, () => this.pipeline.bus.publish(Topics.oracleIndexPrices, event), { refuse, duplicate: false, indexMarket: valid ? input.market : '', indexSubticks: priceSubticks, indexTsNs: tsNs });
    this.remember({ topic: Topics.oracleIndexPrices, value: event });
    // a refused index must not consume its number: the oracle's next one reuses it
    if (valid) this.indexSeq.set(key, seq);
  }

  private remember(sent: Sent): void {
    this.sent.push({ topic: sent.topic, value: structuredClone(sent.value) });
    if (this.sent.length > REPLAY_WINDOW) this.sent.shift();
  }

  private pick<T>(list: readonly T[], n: number): T | undefined {
    return list.length === 0 ? undefined : list[n % list.length];
  }

  private resolveOrder(accountId: number, market: string, ref: OrderRef): { orderId: number; buy?: boolean } {
    if ('rawId' in ref) return { orderId: ref.rawId };
    // resting orders first (an amend or cancel of a live order is the interesting case), else any the account ever placed
    const orders = this.pipeline.risk.engine.state.orders;
    const m = FUZZ_MARKETS.indexOf(market);
    const pickFrom = <T extends { orderId: number }>(list: readonly T[], n: number) => (m < 0 ? undefined : this.pick(list.filter((o) => orders.find(m, o.orderId) >= 0), n)) ?? this.pick(list, n);
    if ('own' in ref) return pickFrom((this.ordersOf.get(accountId) ?? []).filter((o) => o.market === market), ref.own) ?? { orderId: 987_654 };
    return pickFrom(this.allOrders.filter((o) => o.market === market && o.accountId !== accountId), ref.other) ?? { orderId: 987_655 };
  }

  /** `bp` is side-aware for an order (`buy` given): > 0 is aggressive (a buy above the index, a sell below). */
  private priceTicks(market: string, ref: PriceRef, buy?: boolean): number {
    if ('rawTicks' in ref) return ref.rawTicks;
    const m = this.pipeline.risk.engine.state.markets[FUZZ_MARKETS.indexOf(market)];
    const spt = this.pipeline.subticksPerTick(market);
    const indexTicks = m !== undefined && m.indexSubticks > 0 ? m.indexSubticks / spt : (START_PRICE_TICKS[market] ?? 100_000);
    const bp = buy === false ? -ref.bp : ref.bp;
    return Math.max(1, Math.round((indexTicks * (10_000 + bp)) / 10_000));
  }

  private qtyLots(accountId: number, market: string, ref: QtyRef, priceTicks: number): number {
    if ('rawLots' in ref) return ref.rawLots;
    const spec = defaultMarketSpecs.find((s) => s.symbol === market);
    if (spec === undefined || !(priceTicks > 0)) return 1;
    const budget = (Math.max(0, this.walletUnits(accountId)) * (ref.leverage > 0 ? ref.leverage : this.leverageOf(accountId, market)) * ref.pct) / 100;
    return Math.min(spec.maxQtyLots, Math.max(1, Math.floor(budget / (priceTicks * spec.lotTickUnits))));
  }

  /** For triage: whether the command's account is isolated in its market and whether the order is reduce-only. */
  private scopeNote(envelope: unknown): string {
    const cmd = envelope as MatchingCommandV1 | AccountCommandV1 | null;
    if (cmd === null || !('market' in cmd)) return 'not an order command';
    const accountId = cmd.place?.accountId ?? cmd.amend?.accountId ?? cmd.cancel?.accountId ?? cmd.cancelAll?.accountId ?? 0;
    const s = this.pipeline.risk.engine.state;
    const slot = s.accounts.slotOf(accountId);
    const m = FUZZ_MARKETS.indexOf(cmd.market);
    const r = slot < 0 || m < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot] as number, m);
    return `${r >= 0 && s.ledger.isIsolated(r) ? 'isolated' : 'cross'}${cmd.place?.reduceOnly === true ? ', reduce-only' : ''}`;
  }

  private leverageOf(accountId: number, market: string): number {
    const s = this.pipeline.risk.engine.state;
    const slot = s.accounts.slotOf(accountId);
    const m = FUZZ_MARKETS.indexOf(market);
    const r = slot < 0 || m < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot] as number, m);
    return r < 0 ? 20 : (s.ledger.leverage[r] as number);
  }

  private walletUnits(accountId: number): number {
    const s = this.pipeline.risk.engine.state;
    const slot = s.accounts.slotOf(accountId);
    return slot < 0 ? 0 : (s.accounts.balances[0]?.[slot] ?? 0);
  }

  // ---- publishing and checking ----------------------------------------------------

  /**
   * Publishes one envelope (`send`), classifies what happened and runs the per-input
   * checks; `orderId` / `accountId` name the order a matching reject would refer to.
   */
  private publish(kind: string, envelope: unknown, send: () => void, expect: Expect, orderId = 0, accountId = 0): FuzzOutcome {
    const risk = this.pipeline.risk.engine;
    const riskBefore = risk.stateHash();
    const matchingBefore = this.pipeline.matching.engine.stateHash();
    const cmd = envelope as { seq?: number; source?: string; commandId?: number; command?: string } | null;
    this.watch.begin({ kind: typeof cmd?.command === 'string' ? cmd.command : '', commandId: cmd?.commandId ?? -1, inputSource: cmd?.source ?? '', inputSeq: cmd?.seq ?? -1, orderId, accountId });
    let thrown: unknown = null;
    try {
      send();
    } catch (error) {
      thrown = error;
    }
    const outcome: FuzzOutcome = this.watch.haltReason !== '' ? 'halted' : this.watch.refusedBy !== '' ? 'refused' : this.watch.sawAny ? 'applied' : expect.duplicate || expect.refuse !== '' ? 'dropped' : 'applied';
    this.tally.count(kind, outcome, this.watch.refusedCode);
    const fail = (check: FuzzCheck, detail: string) => {
      const failure: FuzzFailure = { check, inputIndex: this.inputIndex, input: this.input, envelope: fuzzJson(envelope), detail };
      this.tally.fail(failure);
      this.watch.failure = null;
      if (!this.tolerate(failure)) this.failure = failure;
    };
    if (thrown !== null) return fail('exception', thrown instanceof Error ? `${thrown.message}\n${thrown.stack?.split('\n').slice(1, 6).join('\n')}` : String(thrown)), outcome;
    if (this.watch.failure !== null) return fail(this.watch.failure.check, this.watch.failure.detail), outcome;
    if (outcome === 'halted') return fail('halted', this.watch.haltReason), outcome;
    const riskAfter = risk.stateHash();
    if (outcome === 'refused' && riskAfter !== riskBefore) {
      return fail('refusedChangedState', `refused by ${this.watch.refusedBy} (${this.watch.refusedCode}) but the risk state hash moved ${riskBefore} → ${riskAfter}; ${this.scopeNote(envelope)}`), outcome;
    }
    if (expect.duplicate && (riskAfter !== riskBefore || this.pipeline.matching.engine.stateHash() !== matchingBefore)) return fail('duplicateApplied', `${expect.refuse} changed the state (risk ${riskBefore} → ${riskAfter})`), outcome;
    if (!expect.duplicate && expect.refuse !== '') {
      if (kind === 'index' && outcome !== 'refused') return fail('badIndexApplied', `${expect.refuse} was not rejected with an event (outcome ${outcome})`), outcome;
      if (kind === 'index' && riskAfter !== riskBefore) return fail('badIndexApplied', `${expect.refuse} changed the risk state hash (index ${risk.state.markets[FUZZ_MARKETS.indexOf((envelope as OracleEventV1).symbol)]?.indexSubticks})`), outcome;
      if (outcome === 'applied') return fail('acceptedInvalid', `the model refuses ${expect.refuse}; the pipeline applied it`), outcome;
      if (riskAfter !== riskBefore) return fail('refusedChangedState', `${expect.refuse} changed the risk state hash`), outcome;
    }
    const unfolded = this.watch.foldMismatch();
    if (unfolded !== '') return fail('eventsIncomplete', `a consumer folding the risk events disagrees with the engine: ${unfolded}`), outcome;
    if (expect.indexMarket !== '') {
      const m = risk.state.markets[FUZZ_MARKETS.indexOf(expect.indexMarket)];
      if (m === undefined || m.indexSubticks !== expect.indexSubticks || m.indexTsNs !== expect.indexTsNs) {
        return fail('indexNotApplied', `a fresh index ${expect.indexSubticks} at ${expect.indexTsNs} was not applied (index ${m?.indexSubticks} at ${m?.indexTsNs})`), outcome;
      }
    }
    return outcome;
  }
}
