/**
 * Reads one new order from Binance parameters (POST /fapi/v1/order, each item of
 * batchOrders, POST /fapi/v1/algoOrder) into integer units, refusing anything
 * malformed before the core sees it: a limit type needs a price, a market type
 * takes none; conditional types need a trigger; quantities and prices on the grid.
 *
 * `/algoOrder` names the client id `clientAlgoId` and the trigger `triggerPrice`
 * (and requires algoType=CONDITIONAL); `/order` names them `newClientOrderId` and
 * `stopPrice`.
 */
import { type MarketSpec, SelfTradePrevention, TimeInForce, type TriggerSource } from '@perpcore/domain';
import type { ExchangeClient } from '@perpcore/exchange';
import { binanceError } from '../binance/binance-error.js';
import type { BinanceParams } from './binance-params.js';
import {
  BINANCE_ORDER_TYPES,
  BINANCE_SIDES,
  BINANCE_TIFS,
  BINANCE_WORKING_TYPES,
  type BinanceOrderType,
  coreOrderType,
  coreSide,
  coreTif,
  coreTriggerSource,
  isConditionalType,
  needsPrice,
} from './order-enums.js';
import { marketSpec } from './trading-deps.js';

export const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const STP_MODES: Record<string, SelfTradePrevention> = {
  EXPIRE_TAKER: SelfTradePrevention.CancelTaker,
  EXPIRE_MAKER: SelfTradePrevention.CancelMaker,
  EXPIRE_BOTH: SelfTradePrevention.CancelBoth,
  NONE: SelfTradePrevention.None,
};

export interface NewOrderRequest {
  readonly spec: MarketSpec;
  readonly side: ReturnType<typeof coreSide>;
  readonly binanceType: BinanceOrderType;
  readonly type: ReturnType<typeof coreOrderType>;
  readonly timeInForce: TimeInForce;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly triggerPriceTicks: number;
  readonly triggerSource: TriggerSource | 0;
  readonly reduceOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
  /** '' when the client sent none (the gateway then names the order itself). */
  readonly clientOrderId: string;
  readonly respType: 'ACK' | 'RESULT';
}

export function readNewOrder(p: BinanceParams, client: ExchangeClient, endpoint: 'order' | 'algo'): NewOrderRequest {
  const spec = marketSpec(client, p.required('symbol'));
  const side = p.oneOf('side', BINANCE_SIDES, 'INVALID_SIDE');
  if (side === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'side' was empty.");
  const binanceType = p.oneOf('type', BINANCE_ORDER_TYPES, 'INVALID_ORDER_TYPE');
  if (binanceType === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'type' was empty.");
  const conditional = isConditionalType(binanceType);
  if (endpoint === 'algo') {
    if (p.required('algoType') !== 'CONDITIONAL') throw binanceError('INVALID_PARAMETER', "Parameter 'algoType'.");
    if (!conditional) throw binanceError('INVALID_ORDER_TYPE');
  }
  const positionSide = p.optional('positionSide');
  if (positionSide !== undefined && positionSide !== 'BOTH') throw binanceError('INVALID_POSITION_SIDE');
  if (p.bool('closePosition') === true) throw binanceError('UNSUPPORTED_OPERATION', 'closePosition is not supported; send reduceOnly with a quantity.');
  p.bool('priceProtect');
  const priceMatch = p.optional('priceMatch');
  if (priceMatch !== undefined && priceMatch !== 'NONE') throw binanceError('UNSUPPORTED_OPERATION', 'priceMatch is not supported.');

  const tif = p.oneOf('timeInForce', BINANCE_TIFS, 'INVALID_TIF');
  const limitPriced = needsPrice(binanceType);
  if (!limitPriced && tif !== undefined && tif !== 'GTC') throw binanceError('INVALID_TIF', `${binanceType} orders take no timeInForce.`);
  const priceTicks = p.priceTicks(spec, 'price');
  if (limitPriced && priceTicks === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'price' was empty.");
  if (!limitPriced && priceTicks !== undefined) throw binanceError('PARAM_NOT_REQUIRED', `${binanceType} orders take no price.`);
  const triggerName = endpoint === 'algo' ? 'triggerPrice' : 'stopPrice';
  const triggerPriceTicks = p.priceTicks(spec, triggerName);
  if (conditional && triggerPriceTicks === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${triggerName}' was empty.`);
  if (!conditional && triggerPriceTicks !== undefined) throw binanceError('PARAM_NOT_REQUIRED', `${binanceType} orders take no ${triggerName}.`);
  const workingType = p.oneOf('workingType', BINANCE_WORKING_TYPES);
  const qtyLots = p.qtyLots(spec, 'quantity');
  if (qtyLots === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'quantity' was empty.");

  const clientOrderId = p.optional(endpoint === 'algo' ? 'clientAlgoId' : 'newClientOrderId') ?? '';
  if (clientOrderId !== '' && !CLIENT_ORDER_ID.test(clientOrderId)) throw binanceError('ILLEGAL_CHARS', 'Client order id must match ^[.A-Z:/a-z0-9_-]{1,36}$.');
  const stp = p.oneOf('selfTradePreventionMode', Object.keys(STP_MODES));
  const respType = p.oneOf('newOrderRespType', ['ACK', 'RESULT'] as const) ?? 'ACK';
  if (p.optional('goodTillDate') !== undefined) throw binanceError('UNSUPPORTED_OPERATION', 'GTD orders are not supported.');
  return {
    spec,
    side: coreSide(side),
    binanceType,
    type: coreOrderType(binanceType),
    timeInForce: limitPriced ? coreTif(tif ?? 'GTC') : TimeInForce.ImmediateOrCancel,
    priceTicks: priceTicks ?? 0,
    qtyLots,
    triggerPriceTicks: triggerPriceTicks ?? 0,
    triggerSource: conditional ? coreTriggerSource(workingType) : 0,
    reduceOnly: p.bool('reduceOnly') ?? false,
    selfTradePrevention: STP_MODES[stp ?? 'EXPIRE_TAKER'] as SelfTradePrevention,
    clientOrderId,
    respType,
  };
}
