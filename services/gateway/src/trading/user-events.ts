/**
 * User-data events in Binance shape, built from the read model and the core's
 * events, sent to the account's live sessions through the stream hub's
 * `publishToAccount` (gw-streams' UserStreamSink; declared here as the port this
 * side needs, structurally the same).
 *
 * - ORDER_TRADE_UPDATE: every change of an order (NEW, TRADE, CANCELED, EXPIRED,
 *   AMENDMENT), with the fill leg's last qty/price, commission and realized PnL.
 * - ACCOUNT_UPDATE: after each fill leg settled by risk (reason ORDER; wallet
 *   balance and the position after it) and each accepted deposit / withdrawal.
 * - MARGIN_CALL: risk's margin call of a scope.
 * - perpcore.LIQUIDATION (triggered / completed / aborted) to the liquidated
 *   account, perpcore.ADL to a deleveraged counterparty (the project's notices).
 * Each event goes to one account only and names only that account's orders: a
 * fill never carries the counterparty's account or order, an ADL notice never
 * names the liquidated account. Unrealized PnL uses the last mark risk published.
 */
import { formatPrice, formatQty, formatScaled, MarginMode, type MarketSpec } from '@perpcore/domain';
import type { ExchangeClient } from '@perpcore/exchange';
import type { VenueMarket } from '@perpcore/markets';
import type { LiquidationEventV1, RiskEventV1 } from '@perpcore/proto';
import { entryFromCost, markPrice } from '../account/account-json.js';
import type { AccountSettings } from '../read-model/account-settings.js';
import type { OrderReadModel, OrderUpdate } from '../read-model/order-read-model.js';
import { binanceOrderType, binanceSide, binanceTif } from './order-enums.js';
import { avgPrice, nsToMs } from './order-json.js';
import type { MarkPrices } from '../read-model/mark-prices.js';

export interface UserEventSink {
  publishToAccount(accountId: number, event: object): void;
  /** False when nobody would receive the account's events: the publisher then skips formatting them (most orders of a REST-only client). */
  hasUserStream?(accountId: number): boolean;
}

export class UserEventPublisher {
  private readonly venue: Map<string, VenueMarket>;
  constructor(
    client: ExchangeClient,
    private readonly sink: UserEventSink,
    private readonly settings: AccountSettings,
    /** Folded by the trading API (one fold for the filters and the events). */
    private readonly marks: MarkPrices,
    private readonly tracks: (accountId: number) => boolean = () => true,
  ) {
    this.venue = new Map(client.markets().map((m) => [m.spec.symbol, m]));
  }

  attach(model: OrderReadModel): void {
    model.onUpdate((u) => this.onOrderUpdate(u));
  }

  onOrderUpdate(u: OrderUpdate): void {
    if (this.sink.hasUserStream?.(u.order.accountId) === false) return;
    const spec = this.venue.get(u.order.market)?.spec;
    if (spec === undefined) return;
    const o = u.order;
    const f = u.fill;
    const ms = nsToMs(u.tsNs);
    this.sink.publishToAccount(o.accountId, {
      e: 'ORDER_TRADE_UPDATE',
      E: ms,
      T: ms,
      o: {
        s: o.market,
        c: o.clientOrderId,
        S: binanceSide(o.side),
        o: o.liquidationId !== 0 ? 'LIQUIDATION' : binanceOrderType(o.type),
        f: binanceTif(o.timeInForce),
        q: formatQty(spec, o.origQtyLots),
        p: o.priceTicks > 0 ? formatPrice(spec, o.priceTicks) : '0',
        ap: avgPrice(spec, o.cumTickLots, o.executedLots),
        sp: o.triggerPriceTicks > 0 ? formatPrice(spec, o.triggerPriceTicks) : '0',
        x: u.kind,
        X: o.status,
        i: o.orderId,
        l: f === null ? '0' : formatQty(spec, f.qtyLots),
        z: formatQty(spec, o.executedLots),
        L: f === null ? '0' : formatPrice(spec, f.priceTicks),
        N: spec.settleAsset,
        n: formatScaled(f?.feeUnits ?? 0, spec.settleDecimals),
        T: ms,
        t: f === null ? 0 : f.tradeSeq,
        b: '0',
        a: '0',
        m: f?.maker ?? false,
        R: o.reduceOnly,
        wt: o.triggerSource === 2 ? 'MARK_PRICE' : 'CONTRACT_PRICE',
        ot: binanceOrderType(o.type),
        ps: 'BOTH',
        cp: false,
        rp: formatScaled(f?.realizedPnlUnits ?? 0, spec.settleDecimals),
        pP: false,
        si: 0,
        ss: 0,
        V: 'EXPIRE_TAKER',
        pm: 'NONE',
        gtd: 0,
      },
    });
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.accountId !== 0 && !this.tracks(e.accountId)) return;
    const ms = nsToMs(Number(e.tsNs));
    switch (e.event) {
      case 'markPrice':
        return;
      case 'positionSettled': {
        if (this.sink.hasUserStream?.(e.accountId) === false) return;
        const s = e.positionSettled;
        const v = s == null ? undefined : this.venue.get(s.market ?? e.market);
        if (s == null || v === undefined) return;
        const isolated = this.settings.get(e.accountId, v.spec.symbol).mode === MarginMode.Isolated;
        const qtyLots = Number(s.positionAfterLots);
        const costUnits = BigInt(s.costBasisAfterUnits || '0');
        const wallet = s.walletBalanceAfterUnits ?? '0';
        this.sink.publishToAccount(e.accountId, {
          e: 'ACCOUNT_UPDATE',
          E: ms,
          T: ms,
          a: {
            m: 'ORDER',
            B: isolated ? [] : [{ a: v.spec.settleAsset, wb: units(v.spec, wallet), cw: units(v.spec, wallet), bc: '0' }],
            P: [
              {
                s: v.spec.symbol,
                pa: formatScaled(BigInt(qtyLots) * v.spec.lot.mantissa, v.spec.lot.scale),
                ep: entryFromCost(v.spec, costUnits, qtyLots),
                bep: entryFromCost(v.spec, costUnits, qtyLots),
                cr: '0',
                up: this.upnl(v, qtyLots, costUnits),
                mt: isolated ? 'isolated' : 'cross',
                iw: isolated ? units(v.spec, wallet) : '0',
                ps: 'BOTH',
              },
            ],
          },
        });
        return;
      }
      case 'commandAccepted': {
        const a = e.commandAccepted;
        const spec = this.venue.values().next().value?.spec;
        if (a == null || spec === undefined || (a.balanceAfterUnits ?? '') === '' || a.asset !== spec.settleAsset) return;
        this.sink.publishToAccount(e.accountId, { e: 'ACCOUNT_UPDATE', E: ms, T: ms, a: { m: 'DEPOSIT', B: [{ a: a.asset, wb: units(spec, a.balanceAfterUnits ?? '0'), cw: units(spec, a.balanceAfterUnits ?? '0'), bc: '0' }], P: [] } });
        return;
      }
      case 'marginCall': {
        const level = e.marginCall?.level;
        const v = level == null ? undefined : this.venue.get(level.triggerMarket ?? '');
        if (level == null || v === undefined) return;
        this.sink.publishToAccount(e.accountId, {
          e: 'MARGIN_CALL',
          E: ms,
          cw: units(v.spec, level.equityUnits ?? '0'),
          p: [{ s: v.spec.symbol, ps: 'BOTH', mt: level.scope?.mode === MarginMode.Isolated ? 'ISOLATED' : 'CROSSED', mp: markPrice(v.spec, Number(level.markSubticks), v.risk.markSubticksPerTick), mm: units(v.spec, level.basisUnits ?? '0') }],
        });
        return;
      }
      case 'liquidationTriggered': {
        const t = e.liquidationTriggered;
        if (t == null) return;
        this.sink.publishToAccount(e.accountId, {
          e: 'perpcore.LIQUIDATION',
          E: ms,
          phase: 'TRIGGERED',
          liquidationId: Number(t.liquidationId),
          scope: t.level?.scope?.mode === MarginMode.Isolated ? { mode: 'ISOLATED', symbol: t.level.scope.market } : { mode: 'CROSS' },
          positions: (t.positions ?? []).flatMap((p) => {
            const v = this.venue.get(p.market ?? '');
            return v === undefined ? [] : [{ s: v.spec.symbol, pa: formatScaled(BigInt(Number(p.positionLots)) * v.spec.lot.mantissa, v.spec.lot.scale), bp: formatPrice(v.spec, Math.max(1, Number(p.bankruptcyPriceTicks))) }];
          }),
        });
        return;
      }
      default:
    }
  }

  onLiquidationEvent(e: LiquidationEventV1): void {
    const ms = nsToMs(Number(e.tsNs));
    if (e.event === 'positionDeleveraged' && e.positionDeleveraged != null) {
      const d = e.positionDeleveraged;
      const v = this.venue.get(d.market ?? '');
      if (v === undefined) return;
      if (!this.tracks(d.counterpartyAccountId ?? 0)) return;
      // to the counterparty only, and without the liquidated account
      this.sink.publishToAccount(d.counterpartyAccountId ?? 0, {
        e: 'perpcore.ADL',
        E: ms,
        s: v.spec.symbol,
        S: d.counterpartySide === 1 ? 'SELL' : 'BUY',
        q: formatQty(v.spec, Number(d.qtyLots)),
        p: formatPrice(v.spec, Number(d.fillPriceTicks)),
        pa: formatScaled(BigInt(Number(d.counterpartyRemainingLots)) * v.spec.lot.mantissa, v.spec.lot.scale),
      });
      return;
    }
    if ((e.event === 'completed' || e.event === 'aborted') && e.accountId !== 0 && this.tracks(e.accountId)) {
      this.sink.publishToAccount(e.accountId, { e: 'perpcore.LIQUIDATION', E: ms, phase: e.event === 'completed' ? 'COMPLETED' : 'ABORTED', liquidationId: Number(e.liquidationId) });
    }
  }

  private upnl(v: VenueMarket, qtyLots: number, costUnits: bigint): string {
    const mark = this.marks.markSubticks(v.spec.symbol);
    if (mark === undefined || qtyLots === 0) return '0';
    const value = (BigInt(qtyLots) * BigInt(mark) * BigInt(v.spec.lotTickUnits)) / BigInt(v.risk.markSubticksPerTick);
    return formatScaled(value - costUnits, v.spec.settleDecimals);
  }
}

const units = (spec: MarketSpec, decimalIntegerUnits: string): string => formatScaled(BigInt(decimalIntegerUnits || '0'), spec.settleDecimals);
