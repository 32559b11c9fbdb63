/**
 * The core's reject codes (risk's pre-trade and account checks, the book's rules)
 * as Binance refusals. The insufficient-margin family uses -2010 with Binance's
 * exact text so that unmodified ccxt against localhost raises InsufficientFunds
 * (BINANCE-COMPAT §5: the linear-only -2019 would be a plain ExchangeError there);
 * -2010's and -4046's texts never carry a detail, as ccxt matches them exactly.
 *
 * `context` chooses between codes Binance keeps apart: an unknown order is -2011
 * on a cancel and -2013 on a query or amend. Another account's order is answered
 * exactly as an unknown one, so its existence does not leak.
 */
import type { CommandRejection } from '@perpcore/exchange';
import { type BinanceError, type BinanceErrorName, binanceError } from '../binance/binance-error.js';

export type RejectContext = 'place' | 'cancel' | 'amend' | 'account';

const EXACT: Readonly<Record<string, BinanceErrorName>> = {
  RISK_INSUFFICIENT_MARGIN: 'INSUFFICIENT_BALANCE_FOR_ACTION',
  RISK_INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE_FOR_ACTION',
  RISK_WITHDRAW_BELOW_IM: 'INSUFFICIENT_BALANCE_FOR_ACTION',
  RISK_UNKNOWN_ACCOUNT: 'INSUFFICIENT_BALANCE_FOR_ACTION',
  RISK_ISOLATED_MARGIN_BELOW_IM: 'ISOLATED_BALANCE_INSUFFICIENT',
  RISK_LEVERAGE_ABOVE_TIER_MAX: 'INVALID_LEVERAGE',
  RISK_NOTIONAL_ABOVE_MAX_TIER: 'MAX_POSITION_AT_LEVERAGE',
  RISK_REDUCE_ONLY_WOULD_INCREASE: 'REDUCE_ONLY_REJECT',
  RISK_MODE_CHANGE_WITH_POSITION: 'MARGIN_TYPE_CHANGE_WITH_POSITION',
  RISK_UNKNOWN_MARKET: 'BAD_SYMBOL',
  MATCHING_UNKNOWN_MARKET: 'BAD_SYMBOL',
  RISK_SYSTEM_ACCOUNT: 'REJECTED_MBX_KEY',
  RISK_STAGE_HALTED: 'DISCONNECTED',
  MATCHING_MARKET_HALTED: 'MARKET_CLOSED',
  // an account the operator stopped: Binance's exact -2010 text (ccxt: InsufficientFunds), no detail
  RISK_KILL_SWITCH_ENGAGED: 'INSUFFICIENT_BALANCE_FOR_ACTION',
  MATCHING_POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  MATCHING_INVALID_TRIGGER: 'ORDER_WOULD_IMMEDIATELY_TRIGGER',
  MATCHING_DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  MATCHING_INVALID_PRICE: 'INVALID_PRECISION_PRICE',
  MATCHING_INVALID_QTY: 'INVALID_STEP_SIZE',
  MATCHING_INVALID_SIDE: 'INVALID_SIDE',
  MATCHING_INVALID_ORDER_TYPE: 'INVALID_ORDER_TYPE',
  MATCHING_INVALID_TIME_IN_FORCE: 'INVALID_TIF',
};

const UNKNOWN_ORDER = new Set(['RISK_UNKNOWN_ORDER', 'MATCHING_UNKNOWN_ORDER', 'MATCHING_NOT_ORDER_OWNER']);
/** Texts Binance clients match exactly: no detail appended. */
const NO_DETAIL = new Set<BinanceErrorName>(['INSUFFICIENT_BALANCE_FOR_ACTION', 'NO_NEED_TO_CHANGE_MARGIN_TYPE', 'POST_ONLY_WOULD_TAKE', 'DISCONNECTED']);

export function coreRejectError(rejection: CommandRejection, context: RejectContext): BinanceError {
  if (UNKNOWN_ORDER.has(rejection.code)) return binanceError(context === 'cancel' ? 'CANCEL_REJECTED' : 'NO_SUCH_ORDER');
  if (rejection.code === 'RISK_NOT_ISOLATED') return binanceError('INVALID_MARGIN_AMOUNT', 'The position is not in isolated mode.');
  const name = EXACT[rejection.code];
  if (name !== undefined) return NO_DETAIL.has(name) ? binanceError(name) : binanceError(name, `(${rejection.code})`);
  // the rest (no mark price yet, a scope in liquidation, duplicate id, invalid input the edge let through)
  return binanceError(context === 'place' ? 'NEW_ORDER_REJECTED' : 'INVALID_PARAMETER', `${rejection.code}: ${rejection.message.slice(0, 200)}`);
}
