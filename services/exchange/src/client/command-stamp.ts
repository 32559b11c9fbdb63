/**
 * The command envelopes an `ExchangeClient` sends, stamped as the stages expect:
 * one producer name (`source`), one contiguous sequence per (source, market) for
 * order commands and per (source, account) for account commands (the streams risk
 * and matching dedup on). Shared by the embedded and the Kafka client so both put
 * the same bytes on the bus.
 */
import { type MarginMode, OrderType, SelfTradePrevention, TriggerSource } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, sideToWire, type AccountCommandV1, type MatchingCommandV1 } from '@perpcore/proto';
import type { PlaceOrderRequest } from './exchange-client.js';

export type AccountCommandKind = Exclude<AccountCommandV1['command'], undefined>;

export interface AccountCommandBodies {
  deposit: { asset: string; amountUnits: number };
  withdraw: { asset: string; amountUnits: number };
  setLeverage: { market: string; leverage: number };
  setMarginMode: { market: string; mode: MarginMode };
  adjustIsolatedMargin: { market: string; deltaUnits: number };
  setKillSwitch: { engaged: boolean };
  setBackstopLiquidator: { enabled: boolean; markets: string[]; maxPositionNotionalUnits: number };
  openLoan: { loanAsset: string; collateralAsset: string; principalUnits: number; collateralUnits: number };
  addLoanCollateral: { loanId: number; amountUnits: number };
  removeLoanCollateral: { loanId: number; amountUnits: number };
  repayLoan: { loanId: number; amountUnits: number; returnCollateral: boolean };
  closeLoan: { loanId: number };
  poolSupply: { asset: string; amountUnits: number };
  poolWithdraw: { asset: string; amountUnits: number };
  poolBorrow: { asset: string; amountUnits: number };
  poolRepay: { asset: string; amountUnits: number };
  liquidationCall: { borrowerAccountId: number; debtAsset: string; collateralAsset: string; debtToCoverUnits: number; expectedPositionSeq: number };
}

export class CommandStamp {
  private readonly orderSeq = new Map<string, number>();
  private readonly accountSeq = new Map<number, number>();
  private readonly operatorSeq = new Map<string, number>();

  /**
   * `firstSeq`: every stream's sequence continues above it. Embedded, 0 (the journal's
   * replay is deterministic); a Kafka gateway process that may be restarted under the
   * same `source` passes a wall-clock base, so its new commands are above what risk
   * already took from its previous life and are not dropped as redeliveries.
   */
  constructor(
    readonly source: string,
    private readonly nowNs: () => number,
    private readonly firstSeq = 0,
  ) {}

  place(order: PlaceOrderRequest): MatchingCommandV1 {
    const cmd = this.order(order.market);
    cmd.command = 'place';
    cmd.place = {
      orderId: order.orderId,
      accountId: order.accountId,
      side: sideToWire(order.side),
      type: order.type,
      timeInForce: order.timeInForce,
      priceTicks: order.priceTicks,
      qtyLots: order.qtyLots,
      triggerPriceTicks: order.triggerPriceTicks ?? 0,
      triggerSource: order.triggerSource ?? (order.type === OrderType.Limit || order.type === OrderType.Market ? 0 : TriggerSource.LastTrade),
      selfTradePrevention: order.selfTradePrevention ?? SelfTradePrevention.CancelTaker,
      reduceOnly: order.reduceOnly ?? false,
      clientOrderId: order.clientOrderId ?? '',
      liquidationId: 0,
    } as MatchingCommandV1['place'];
    return cmd;
  }

  cancel(accountId: number, market: string, orderId: number): MatchingCommandV1 {
    const cmd = this.order(market);
    cmd.command = 'cancel';
    cmd.cancel = { orderId, accountId } as MatchingCommandV1['cancel'];
    return cmd;
  }

  amend(accountId: number, market: string, orderId: number, priceTicks: number, qtyLots: number): MatchingCommandV1 {
    const cmd = this.order(market);
    cmd.command = 'amend';
    cmd.amend = { orderId, accountId, priceTicks, qtyLots } as MatchingCommandV1['amend'];
    return cmd;
  }

  cancelAll(accountId: number, market: string): MatchingCommandV1 {
    const cmd = this.order(market);
    cmd.command = 'cancelAll';
    cmd.cancelAll = { accountId, reason: 0 } as MatchingCommandV1['cancelAll'];
    return cmd;
  }

  account<K extends AccountCommandKind & keyof AccountCommandBodies>(accountId: number, kind: K, body: AccountCommandBodies[K], commandId: number): AccountCommandV1 {
    const seq = (this.accountSeq.get(accountId) ?? this.firstSeq) + 1;
    this.accountSeq.set(accountId, seq);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq, tsNs: this.nowNs(), source: this.source, commandId } as AccountCommandV1;
    cmd.command = kind;
    (cmd as unknown as Record<string, unknown>)[kind] = body;
    return cmd;
  }

  /**
   * An operator market command (halt, resume): straight to matching's command topic
   * under its own producer name (`<source>-operator`), so its sequence never meets
   * the order stream risk forwards to matching under `source`.
   */
  marketCommand(market: string, fill: (cmd: MatchingCommandV1) => void): MatchingCommandV1 {
    const seq = (this.operatorSeq.get(market) ?? this.firstSeq) + 1;
    this.operatorSeq.set(market, seq);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market, seq, tsNs: this.nowNs(), source: `${this.source}-operator` } as MatchingCommandV1;
    fill(cmd);
    return cmd;
  }

  private order(market: string): MatchingCommandV1 {
    const seq = (this.orderSeq.get(market) ?? this.firstSeq) + 1;
    this.orderSeq.set(market, seq);
    return { schemaMajor: SCHEMA_MAJOR_V1, market, seq, tsNs: this.nowNs(), source: this.source } as MatchingCommandV1;
  }
}
