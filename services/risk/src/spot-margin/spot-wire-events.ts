/**
 * The spot-margin stage's events as RiskEventV1 envelopes (proto
 * perpcore/risk/v1/spot-margin.proto): one envelope per SpotMarginEvent, in the
 * engine's order, each with its after-values (SpotLedgerAfterV1) and the stage's
 * own sequence `spotSeq` over all its events.
 *
 * Streams, as the perps risk stage numbers them: `seq` per (source, account) for
 * an account's events, per (source, pair) for index prices, per (source, "") for
 * the venue's own events (pool funding, index accrual, a refusal naming no
 * account). The spot stage publishes under its own `source`, so its streams never
 * share a sequence with the perps stage's.
 *
 * The numbering is the publisher's state: a stage rebuilt by replaying its inputs
 * from the first one numbers the same events the same way.
 */
import { type Bus, Topics } from '@perpcore/bus';
import { MarginState } from '@perpcore/margin';
import { SCHEMA_MAJOR_V1, type RiskEventV1, perpcore } from '@perpcore/proto';
import { SpotEventKind, type SpotMarginEvent } from './spot-margin-events.js';

import W = perpcore.risk.v1;

const STATE_TO_WIRE: Readonly<Record<MarginState, W.SpotMarginStateV1>> = {
  [MarginState.Healthy]: W.SpotMarginStateV1.SPOT_MARGIN_STATE_HEALTHY,
  [MarginState.Called]: W.SpotMarginStateV1.SPOT_MARGIN_STATE_CALLED,
  [MarginState.Liquidating]: W.SpotMarginStateV1.SPOT_MARGIN_STATE_LIQUIDATING,
};

function afterOf(e: SpotMarginEvent, spotSeq: number): W.SpotLedgerAfterV1 {
  return {
    spotSeq,
    rows: e.rows.map((r) => ({
      asset: r.asset,
      balanceUnits: String(r.balanceUnits),
      heldUnits: String(r.heldUnits),
      principalUnits: String(r.principalUnits),
      snapshotIndexE18: r.snapshot,
      entryUnits: String(r.entryUnits),
      accountId: r.accountId,
    })),
    venue: e.venue.map((v) => {
      const [deposited, withdrawn, poolFunded, borrowed, repaid, interest, liquidationFee, fundCovered, writtenOff] = v.totals as [string, string, string, string, string, string, string, string, string];
      return {
        asset: v.asset,
        poolUnits: v.poolUnits,
        fundUnits: v.fundUnits,
        depositedUnits: deposited,
        withdrawnUnits: withdrawn,
        poolFundedUnits: poolFunded,
        borrowedUnits: borrowed,
        repaidUnits: repaid,
        interestUnits: interest,
        liquidationFeeUnits: liquidationFee,
        fundCoveredUnits: fundCovered,
        writtenOffUnits: writtenOff,
      };
    }),
    indices: e.indices.map((ix) => ({ asset: ix.asset, indexE18: ix.index, lastAccrualNs: ix.lastAccrualNs })),
  } as W.SpotLedgerAfterV1;
}

type Body = Pick<RiskEventV1, 'event'> & Partial<RiskEventV1>;

/** The oneof member of one spot event (its `market`: the pair it names, else ""). */
function bodyOf(e: SpotMarginEvent, after: W.SpotLedgerAfterV1): { body: Body; market: string } {
  const fundAfter = e.venue[0]?.fundUnits ?? 0;
  const poolAfter = e.venue[0]?.poolUnits ?? 0;
  switch (e.kind) {
    case SpotEventKind.Deposited:
      return e.accountId === 0
        ? { body: { event: 'spotPoolFunded', spotPoolFunded: { asset: e.asset, amountUnits: e.amountUnits, after } as W.SpotPoolFundedV1 }, market: '' }
        : { body: { event: 'spotDeposited', spotDeposited: { asset: e.asset, amountUnits: e.amountUnits, after } as W.SpotDepositedV1 }, market: '' };
    case SpotEventKind.Withdrawn:
      return { body: { event: 'spotWithdrawn', spotWithdrawn: { asset: e.asset, amountUnits: e.amountUnits, after } as W.SpotWithdrawnV1 }, market: '' };
    case SpotEventKind.Borrowed:
      return { body: { event: 'spotBorrowed', spotBorrowed: { asset: e.asset, amountUnits: e.amountUnits, poolAfterUnits: poolAfter, after } as W.SpotBorrowedV1 }, market: '' };
    case SpotEventKind.Repaid:
      return {
        body: { event: 'spotRepaid', spotRepaid: { asset: e.asset, amountUnits: e.amountUnits, byLiquidation: e.detail === 'LIQUIDATION', poolAfterUnits: poolAfter, after } as W.SpotRepaidV1 },
        market: '',
      };
    case SpotEventKind.InterestSettled:
      return {
        body: { event: 'spotInterestSettled', spotInterestSettled: { asset: e.asset, interestUnits: e.amountUnits, indexE18: e.rows[0]?.snapshot ?? '', after } as W.SpotInterestSettledV1 },
        market: '',
      };
    case SpotEventKind.OrderPlaced: {
      const o = e.order!;
      const placed = { pair: e.detail, heldAsset: e.asset, heldUnits: e.amountUnits, after, orderId: o.orderId, side: o.side, priceTicks: o.priceTicks, qtyLots: o.qtyLots, clientOrderId: o.clientOrderId ?? '', immediateOrCancel: o.immediateOrCancel === true };
      return { body: { event: 'spotOrderPlaced', spotOrderPlaced: placed as W.SpotOrderPlacedV1 }, market: e.detail };
    }
    case SpotEventKind.OrderCanceled:
      return {
        body: { event: 'spotOrderCanceled', spotOrderCanceled: { pair: e.detail, releasedAsset: e.asset, releasedUnits: e.amountUnits, after, orderId: e.order!.orderId, canceledLots: e.order!.qtyLots } as W.SpotOrderCanceledV1 },
        market: e.detail,
      };
    case SpotEventKind.Filled: {
      // detail is "<pair>@<priceTicks>"; rows are buyer quote, buyer base, seller base, seller quote
      const at = e.detail.lastIndexOf('@');
      const pair = e.detail.slice(0, at);
      const buyer = e.rows[0]!.accountId;
      const seller = e.rows[2]!.accountId;
      const takerBuys = buyer === e.accountId;
      const filled = { pair, makerAccountId: takerBuys ? seller : buyer, takerAccountId: e.accountId, takerSide: takerBuys ? 1 : -1, priceTicks: Number(e.detail.slice(at + 1)), qtyLots: e.amountUnits, after, takerOrderId: e.order?.orderId ?? 0, makerOrderId: e.order?.makerOrderId ?? 0 };
      return { body: { event: 'spotFilled', spotFilled: filled as W.SpotFilledV1 }, market: pair };
    }
    case SpotEventKind.MarginStateChanged: {
      const t = e.transition!;
      const changed = {
        from: STATE_TO_WIRE[t.from],
        to: STATE_TO_WIRE[t.to],
        equityUnits: String(t.equityUnits),
        usedMarginUnits: String(t.usedMarginUnits),
        levelE8: t.levelE8 ?? 0,
        marginCallLevelE8: t.marginCallLevelE8,
        liquidationLevelE8: t.liquidationLevelE8,
        triggerFeed: t.triggerFeed === '' ? '' : `index:${t.triggerFeed}`,
        triggerPriceTicks: t.triggerPriceTicks,
        after,
      };
      return { body: { event: 'spotMarginStateChanged', spotMarginStateChanged: changed as W.SpotMarginStateChangedV1 }, market: t.triggerFeed };
    }
    case SpotEventKind.LiquidationFeeCharged:
      return {
        body: { event: 'spotLiquidationFeeCharged', spotLiquidationFeeCharged: { asset: e.asset, feeUnits: e.amountUnits, fundAfterUnits: fundAfter, after } as W.SpotLiquidationFeeChargedV1 },
        market: '',
      };
    case SpotEventKind.BadDebtCovered: {
      const cover = Number(e.detail);
      const covered = { asset: e.asset, owedUnits: e.amountUnits, fundCoveredUnits: cover, writtenOffUnits: e.amountUnits - cover, after };
      return { body: { event: 'spotBadDebtCovered', spotBadDebtCovered: covered as W.SpotBadDebtCoveredV1 }, market: '' };
    }
    case SpotEventKind.IndexAccrued: {
      // the first index moved (assets ascending) in the message's own fields; every one in after.indices
      const first = e.indices[0]!;
      return { body: { event: 'spotInterestIndex', spotInterestIndex: { asset: first.asset, indexE18: first.index, lastAccrualNs: first.lastAccrualNs, after } as W.SpotInterestIndexV1 }, market: '' };
    }
    case SpotEventKind.IndexPriceSet:
      return { body: { event: 'spotIndexPriceSet', spotIndexPriceSet: { pair: e.detail, baseAsset: e.asset, priceTicks: e.amountUnits, after } as W.SpotIndexPriceSetV1 }, market: e.detail };
    case SpotEventKind.Rejected:
      return { body: { event: 'spotRejected', spotRejected: { code: e.detail, asset: e.asset, amountUnits: e.amountUnits, after } as W.SpotRejectedV1 }, market: '' };
  }
}

export class SpotWirePublisher {
  /** Events published so far (the last `spotSeq`). */
  spotSeq = 0;
  private readonly accountSeq = new Map<number, number>();
  private readonly marketSeq = new Map<string, number>();

  constructor(
    readonly source: string,
    private readonly publish: (event: RiskEventV1) => void,
  ) {}

  /** The engine's sink: publishes `e` as its envelopes. */
  readonly onEvent = (e: SpotMarginEvent): void => {
    for (const envelope of this.envelopesOf(e)) this.publish(envelope);
  };

  /**
   * One envelope on the stream of the account `e` names; a fill goes out once more
   * on the maker's stream (same spotSeq: a fold applies it once), so each account's
   * stream alone shows every change of its rows.
   */
  envelopesOf(e: SpotMarginEvent): RiskEventV1[] {
    const after = afterOf(e, ++this.spotSeq);
    const { body, market } = bodyOf(e, after);
    if (e.accountId === 0) {
      // a venue event names a pair only through its index price; its other events share the stage stream ""
      const stream = e.kind === SpotEventKind.IndexPriceSet ? market : '';
      const seq = (this.marketSeq.get(stream) ?? 0) + 1;
      this.marketSeq.set(stream, seq);
      return [this.stamp(body, seq, e.tsNs, 0, stream)];
    }
    const out = [this.stamp(body, this.nextAccountSeq(e.accountId), e.tsNs, e.accountId, market)];
    const maker = body.spotFilled?.makerAccountId;
    if (maker !== undefined && maker !== e.accountId) out.push(this.stamp(body, this.nextAccountSeq(maker), e.tsNs, maker, market));
    return out;
  }

  private nextAccountSeq(accountId: number): number {
    const seq = (this.accountSeq.get(accountId) ?? 0) + 1;
    this.accountSeq.set(accountId, seq);
    return seq;
  }

  private stamp(body: Body, seq: number, tsNs: number, accountId: number, market: string): RiskEventV1 {
    return { schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs, source: this.source, accountId, market, ...body } as RiskEventV1;
  }
}

/** A publisher onto the risk topics: account events keyed by account, the venue's by pair ("" for none). */
export function spotBusPublisher(bus: Pick<Bus, 'publish'>, source: string): SpotWirePublisher {
  return new SpotWirePublisher(source, (e) => bus.publish(e.accountId !== 0 ? Topics.riskAccountEvents : Topics.riskMarketEvents, e));
}
