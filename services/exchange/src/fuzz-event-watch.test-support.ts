/**
 * The engine fuzz's eyes on the pipeline's output: one consumer group on every
 * output topic (matching events, risk account and market events, liquidation
 * events), subscribed after the stages, so it sees each event once every stage has
 * handled it.
 *
 * After every event: the risk audit (RISK-SPEC §9: per market long = short, settle
 * money conserved to the unit, funding residue, fund ≥ 0) and exactness (every
 * balance, cost, bucket, pending funding, pool and open-interest counter a safe
 * integer). It never throws inside a handler (the bus would redeliver); the first
 * failure is kept for the driver.
 *
 * Folding: the settle balances the risk events report (`commandAccepted`,
 * `positionSettled`, `ledgerTransfer`), so the driver can compare them with the
 * engine's after each input (`foldMismatch`).
 *
 * Per input (`begin`): whether any event appeared, whether the input was refused
 * (risk `commandRejected` naming its command id, any other `…Rejected` naming its
 * envelope's (source, seq), e.g. `orderRejected`, or matching `rejected` of the very
 * command risk forwarded for it) and whether a stage announced a halt (any event whose
 * kind names one). A matching reject is tied to the input through the forwarded
 * command's (source, seq), which the reject envelope echoes: risk also sends cancels
 * of its own for the same order id (maker re-check, reduce-only trim, liquidation),
 * and their rejects (an order already filled: MATCHING_UNKNOWN_ORDER) are not a
 * refusal of the input.
 */
import { Topics } from '@perpcore/bus';
import type { RiskEngine } from '@perpcore/risk';
import type { Pipeline } from './pipeline.js';
import type { FuzzCheck } from './fuzz-tally.test-support.js';

export interface WatchedInput {
  /** The order command's kind ('place', 'amend', 'cancel'), '' for other inputs. */
  readonly kind: string;
  readonly commandId: number;
  readonly inputSource: string;
  readonly inputSeq: number;
  readonly orderId: number;
  readonly accountId: number;
}

interface AnyEvent {
  readonly event?: string;
  readonly accountId?: number;
  readonly market?: string;
  readonly commandAccepted?: { asset: string; balanceAfterUnits: string } | null;
  readonly positionSettled?: { market: string; walletBalanceAfterUnits: string } | null;
  readonly ledgerTransfer?: { asset: string; fromAccountId: number; fromMarket: string; toAccountId: number; toMarket: string; fromBalanceAfterUnits: string; toBalanceAfterUnits: string } | null;
  readonly commandRejected?: { commandId: number; code: string } | null;
  readonly rejected?: { orderId: number; accountId: number; code: string } | null;
  readonly inputSource?: string;
  readonly inputSeq?: number;
}

interface ForwardedCommand {
  readonly command?: string;
  readonly source?: string;
  readonly seq?: number;
  readonly place?: { orderId: number; accountId: number } | null;
  readonly amend?: { orderId: number; accountId: number } | null;
  readonly cancel?: { orderId: number; accountId: number } | null;
}

type RiskState = RiskEngine['state'];

const SETTLE_ASSET = 'USDT';

const NO_INPUT: WatchedInput = { kind: '', commandId: -1, inputSource: '', inputSeq: -1, orderId: -1, accountId: -1 };

export class FuzzEventWatch {
  events = 0;
  checks = 0;
  fundingSettlements = 0;
  failure: { check: FuzzCheck; detail: string } | null = null;
  sawAny = false;
  refusedBy: '' | 'risk' | 'matching' = '';
  refusedCode = '';
  haltReason = '';
  private current: WatchedInput = NO_INPUT;
  /** The (source, seq) of the command risk forwarded to matching for the current input; '' until seen. */
  private forwardedSource = '';
  private forwardedSeq = -1;
  /** The settle balances a consumer folding the risk events knows: `account|market` ('' = the wallet) → units. */
  private readonly folded = new Map<string, string>();

  private constructor(private readonly pipeline: Pipeline) {}

  static async attach(pipeline: Pipeline): Promise<FuzzEventWatch> {
    const w = new FuzzEventWatch(pipeline);
    const options = { groupId: 'fuzz-watch', fromBeginning: true };
    const bus = pipeline.bus;
    await bus.subscribe(Topics.matchingCommands, options, (message) => w.onMatchingCommand(message.value as ForwardedCommand));
    await bus.subscribe(Topics.matchingEvents, options, (message) => w.onEvent('matching', message.value as AnyEvent));
    await bus.subscribe(Topics.riskAccountEvents, options, (message) => w.onEvent('risk', message.value as AnyEvent));
    await bus.subscribe(Topics.riskMarketEvents, options, (message) => w.onEvent('risk-market', message.value as AnyEvent));
    await bus.subscribe(Topics.liquidationEvents, options, (message) => w.onEvent('liquidation', message.value as AnyEvent));
    return w;
  }

  begin(input: WatchedInput): void {
    this.current = input;
    this.sawAny = false;
    this.refusedBy = '';
    this.refusedCode = '';
    this.haltReason = '';
    this.forwardedSource = '';
    this.forwardedSeq = -1;
  }

  /** The first command to matching for the current input's order, of the input's own kind: the one risk forwarded. */
  private onMatchingCommand(cmd: ForwardedCommand): void {
    const c = this.current;
    if (this.forwardedSource !== '' || cmd.command !== c.kind) return;
    const body = cmd.command === 'place' ? cmd.place : cmd.command === 'amend' ? cmd.amend : cmd.command === 'cancel' ? cmd.cancel : null;
    if (body == null || !Object.is(body.orderId, c.orderId) || body.accountId !== c.accountId) return;
    this.forwardedSource = cmd.source ?? '';
    this.forwardedSeq = cmd.seq ?? -1;
  }

  private onEvent(topic: string, e: AnyEvent): void {
    this.events++;
    const c = this.current;
    const kind = e.event ?? '';
    // the schedules' output, not the input's effect: a command past a sample boundary publishes a book sample first
    // (refused or not), and that event's time can bring the ladder's ADL indicator refresh due
    if (kind !== 'bookSample' && kind !== 'adlIndicator') this.sawAny = true;
    if (kind === 'fundingSettled') this.fundingSettlements++;
    if (topic === 'risk') this.fold(e);
    if (/halt/i.test(kind) && this.haltReason === '') this.haltReason = `${topic} ${kind}: ${JSON.stringify((e as Record<string, unknown>)[kind] ?? null)}`;
    if (kind === 'commandRejected') {
      if (e.commandRejected?.commandId === c.commandId) this.refused('risk', e.commandRejected.code);
    } else if (kind === 'rejected') {
      // Object.is: an order id the fuzz sent as NaN comes back as NaN
      const forwarded = this.forwardedSource !== '' && e.inputSource === this.forwardedSource && e.inputSeq === this.forwardedSeq;
      if (forwarded && e.rejected != null && Object.is(e.rejected.orderId, c.orderId) && e.rejected.accountId === c.accountId) this.refused('matching', e.rejected.code);
    } else if (kind.endsWith('Rejected')) {
      // orderRejected, and any later reject event that names its input's envelope (source, seq)
      const body = (e as Record<string, unknown>)[kind] as { inputSource?: string; inputSeq?: number; code?: string; reason?: unknown } | null;
      if (body != null && body.inputSource === c.inputSource && body.inputSeq === c.inputSeq) this.refused('risk', String(body.code ?? body.reason ?? kind));
    }
    if (this.failure !== null) return;
    this.checks++;
    const state = this.pipeline.risk.engine.state;
    const audit = this.pipeline.risk.engine.audit();
    if (!audit.ok) {
      this.failure = { check: 'audit', detail: `after ${topic} ${kind}: ${audit.problems.join('; ')}` };
      return;
    }
    const inexact = inexactColumn(state);
    if (inexact !== '') this.failure = { check: 'notExact', detail: `after ${topic} ${kind}: ${inexact}` };
  }

  private fold(e: AnyEvent): void {
    const set = (accountId: number, market: string, units: string) => {
      if (units !== '') this.folded.set(`${accountId}|${market}`, units);
    };
    if (e.commandAccepted != null && e.commandAccepted.asset === SETTLE_ASSET) set(e.accountId ?? 0, '', e.commandAccepted.balanceAfterUnits);
    else if (e.positionSettled != null) {
      // the event's wallet is the isolated bucket when the position is isolated (fill-settlement.ts)
      const s = this.pipeline.risk.engine.state;
      const slot = s.accounts.slotOf(e.accountId ?? 0);
      const m = s.setup.marketIndex.get(e.positionSettled.market) ?? -1;
      const r = slot < 0 || m < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot] as number, m);
      set(e.accountId ?? 0, r >= 0 && s.ledger.isIsolated(r) ? e.positionSettled.market : '', e.positionSettled.walletBalanceAfterUnits);
    } else if (e.ledgerTransfer != null && e.ledgerTransfer.asset === SETTLE_ASSET) {
      const t = e.ledgerTransfer;
      set(t.fromAccountId, t.fromMarket, t.fromBalanceAfterUnits);
      set(t.toAccountId, t.toMarket, t.toBalanceAfterUnits);
    }
  }

  /**
   * Issue 9 item 7: every change of a balance is in an event. The first trader wallet
   * or isolated bucket whose value differs from what folding the risk events gives
   * (nothing folded yet = 0); '' when they all agree. Traders only: the fee account's
   * credits are the fills' fee fields, not balances of its own.
   */
  foldMismatch(): string {
    const s = this.pipeline.risk.engine.state;
    const acc = s.accounts;
    for (let slot = 0; slot < acc.count; slot++) {
      if (acc.kind[slot] !== 0) continue;
      const id = acc.ids[slot] as number;
      const wallet = String(acc.balances[0]?.[slot] ?? 0);
      const known = this.folded.get(`${id}|`) ?? '0';
      if (known !== wallet) return `account ${id}: wallet ${wallet}, the events say ${known}`;
      for (let r = acc.firstRow[slot] as number; r >= 0; r = s.ledger.nextOfAccount[r] as number) {
        if (!s.ledger.isIsolated(r)) continue;
        const market = s.markets[s.ledger.market[r] as number]?.symbol ?? '?';
        const bucket = String(s.ledger.isolatedUnits[r]);
        const told = this.folded.get(`${id}|${market}`) ?? '0';
        if (told !== bucket) return `account ${id}: ${market} isolated bucket ${bucket}, the events say ${told}`;
      }
    }
    return '';
  }

  private refused(by: 'risk' | 'matching', code: string): void {
    if (this.refusedBy !== '') return;
    this.refusedBy = by;
    this.refusedCode = code;
  }
}

/** The first money or size column outside the safe-integer range, named; '' when all are exact. */
function inexactColumn(s: RiskState): string {
  const acc = s.accounts;
  for (let a = 0; a < acc.assetCount; a++) {
    const column = acc.balances[a] as number[];
    for (let slot = 0; slot < acc.count; slot++) if (!Number.isSafeInteger(column[slot])) return `account ${acc.ids[slot]} balance[${a}] = ${column[slot]}`;
  }
  const led = s.ledger;
  for (let r = 0; r < led.count; r++) {
    for (const [name, column] of [['qtyLots', led.qtyLots], ['costUnits', led.costUnits], ['isolatedUnits', led.isolatedUnits], ['pendingFundingUnits', led.pendingFundingUnits]] as const) {
      if (!Number.isSafeInteger(column[r])) return `account ${acc.ids[led.account[r] as number]} row ${r} ${name} = ${column[r]}`;
    }
  }
  for (const m of s.markets) {
    for (const [name, v] of [['fundingPoolUnits', m.fundingPoolUnits], ['longLots', m.longLots], ['shortLots', m.shortLots]] as const) if (!Number.isSafeInteger(v)) return `${m.symbol} ${name} = ${v}`;
  }
  return '';
}
