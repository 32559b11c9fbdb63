/**
 * Binance USDⓈ-M order and trade JSON from the read model's records: decimal
 * strings from the market grid (formatPrice / formatQty), money from settle units,
 * averages exact to 8 digits beyond the tick (decimal-ratio.ts), times in ms of
 * the core's event clock. Fills are rendered from the caller's own leg only.
 */
import { formatPrice, formatQty, formatScaled, type MarketSpec, Side, TriggerSource } from '@perpcore/domain';
import type { FillRecord, OrderRecord } from '../read-model/order-record.js';
import { AVERAGE_EXTRA_DIGITS, decimalRatio } from './decimal-ratio.js';
import { binanceOrderType, binanceSide, binanceTif } from './order-enums.js';

export const nsToMs = (tsNs: number): number => Math.floor(tsNs / 1e6);

const priceOrZero = (spec: MarketSpec, ticks: number) => (ticks > 0 ? formatPrice(spec, ticks) : '0');

export function avgPrice(spec: MarketSpec, cumTickLots: number, executedLots: number): string {
  if (executedLots === 0) return '0';
  return decimalRatio(BigInt(cumTickLots) * spec.tick.mantissa, BigInt(executedLots) * 10n ** BigInt(spec.tick.scale), spec.tick.scale + AVERAGE_EXTRA_DIGITS);
}

export function quoteUnits(spec: MarketSpec, tickLots: number): bigint {
  return BigInt(tickLots) * BigInt(spec.lotTickUnits);
}

export function orderJson(spec: MarketSpec, o: OrderRecord): Record<string, unknown> {
  const type = binanceOrderType(o.type);
  const executedQty = formatQty(spec, o.executedLots);
  return {
    orderId: o.orderId,
    symbol: o.market,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: priceOrZero(spec, o.priceTicks),
    avgPrice: avgPrice(spec, o.cumTickLots, o.executedLots),
    origQty: formatQty(spec, o.origQtyLots),
    executedQty,
    cumQty: executedQty,
    cumQuote: formatScaled(quoteUnits(spec, o.cumTickLots), spec.settleDecimals),
    timeInForce: binanceTif(o.timeInForce),
    type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: binanceSide(o.side),
    positionSide: 'BOTH',
    stopPrice: priceOrZero(spec, o.triggerPriceTicks),
    workingType: o.triggerSource === TriggerSource.MarkPrice ? 'MARK_PRICE' : 'CONTRACT_PRICE',
    priceProtect: false,
    origType: type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_TAKER',
    goodTillDate: 0,
    time: nsToMs(o.timeNs),
    updateTime: nsToMs(o.updateNs),
  };
}

/** The order as it was when accepted (newOrderRespType=ACK). */
export function orderAckJson(spec: MarketSpec, o: OrderRecord): Record<string, unknown> {
  return { ...orderJson(spec, o), status: 'NEW', executedQty: '0', cumQty: '0', cumQuote: '0', avgPrice: '0', updateTime: nsToMs(o.timeNs) };
}

export function userTradeJson(spec: MarketSpec, f: FillRecord): Record<string, unknown> {
  const quote = formatScaled(quoteUnits(spec, f.priceTicks * f.qtyLots), spec.settleDecimals);
  return {
    symbol: f.market,
    id: f.tradeSeq,
    orderId: f.orderId,
    side: binanceSide(f.side),
    price: formatPrice(spec, f.priceTicks),
    qty: formatQty(spec, f.qtyLots),
    realizedPnl: formatScaled(f.realizedPnlUnits ?? 0, spec.settleDecimals),
    marginAsset: spec.settleAsset,
    quoteQty: quote,
    commission: formatScaled(f.feeUnits ?? 0, spec.settleDecimals),
    commissionAsset: spec.settleAsset,
    time: nsToMs(f.tsNs),
    positionSide: 'BOTH',
    buyer: f.side === Side.Buy,
    maker: f.maker,
  };
}
