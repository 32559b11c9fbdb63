/**
 * Binance USDⓈ-M error bodies: every refusal the gateway sends is `{code, msg}` with
 * Binance's code, its exact message text (clients such as ccxt map some errors by the
 * text, not the code: BINANCE-COMPAT.md §5) and its HTTP status. One catalogue, so a
 * code is spelled once and every route answers the same refusal the same way.
 *
 * Invariant: a 5xx is only ever `INTERNAL` (an internal fault, after which the stage
 * halts); every other entry is a 4xx.
 */
export class BinanceError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'BinanceError';
  }

  /** The wire body; `msg` is the Binance text, optionally with a detail after it. */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

interface ErrorTemplate {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;
}

/** The codes the gateway answers with (Binance's numbers and texts). */
export const BinanceErrors = {
  INTERNAL: { httpStatus: 500, code: -1000, msg: 'An unknown error occured while processing the request.' },
  DISCONNECTED: { httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
  UNAUTHORIZED: { httpStatus: 401, code: -1002, msg: 'You are not authorized to execute this request.' },
  TOO_MANY_REQUESTS: { httpStatus: 429, code: -1003, msg: 'Too many requests; please use the websocket for live updates.' },
  IP_BANNED: { httpStatus: 418, code: -1003, msg: 'Way too many requests; IP banned.' },
  TIMEOUT: { httpStatus: 408, code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' },
  TOO_MANY_ORDERS: { httpStatus: 429, code: -1015, msg: 'Too many new orders.' },
  SERVICE_SHUTTING_DOWN: { httpStatus: 503, code: -1016, msg: 'This service is no longer available.' },
  UNSUPPORTED_OPERATION: { httpStatus: 400, code: -1020, msg: 'This operation is not supported.' },
  INVALID_TIMESTAMP: { httpStatus: 400, code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
  INVALID_SIGNATURE: { httpStatus: 400, code: -1022, msg: 'Signature for this request is not valid.' },
  ILLEGAL_CHARS: { httpStatus: 400, code: -1100, msg: 'Illegal characters found in a parameter.' },
  TOO_MANY_PARAMETERS: { httpStatus: 400, code: -1101, msg: 'Too many parameters sent for this endpoint.' },
  MANDATORY_PARAM_EMPTY_OR_MALFORMED: { httpStatus: 400, code: -1102, msg: 'A mandatory parameter was not sent, was empty/null, or malformed.' },
  UNKNOWN_PARAM: { httpStatus: 400, code: -1103, msg: 'An unknown parameter was sent.' },
  UNREAD_PARAMETERS: { httpStatus: 400, code: -1104, msg: 'Not all sent parameters were read.' },
  PARAM_EMPTY: { httpStatus: 400, code: -1105, msg: 'A parameter was empty.' },
  PARAM_NOT_REQUIRED: { httpStatus: 400, code: -1106, msg: 'A parameter was sent when not required.' },
  BAD_PRECISION: { httpStatus: 400, code: -1111, msg: 'Precision is over the maximum defined for this asset.' },
  INVALID_TIF: { httpStatus: 400, code: -1115, msg: 'Invalid timeInForce.' },
  INVALID_ORDER_TYPE: { httpStatus: 400, code: -1116, msg: 'Invalid orderType.' },
  INVALID_SIDE: { httpStatus: 400, code: -1117, msg: 'Invalid side.' },
  BAD_SYMBOL: { httpStatus: 400, code: -1121, msg: 'Invalid symbol.' },
  INVALID_LISTEN_KEY: { httpStatus: 400, code: -1125, msg: 'This listenKey does not exist.' },
  INVALID_PARAMETER: { httpStatus: 400, code: -1130, msg: 'Data sent for parameter is not valid.' },
  NEW_ORDER_REJECTED: { httpStatus: 400, code: -2010, msg: 'NEW_ORDER_REJECTED' },
  CANCEL_REJECTED: { httpStatus: 400, code: -2011, msg: 'Unknown order sent.' },
  NO_SUCH_ORDER: { httpStatus: 400, code: -2013, msg: 'Order does not exist.' },
  BAD_API_KEY_FMT: { httpStatus: 401, code: -2014, msg: 'API-key format invalid.' },
  REJECTED_MBX_KEY: { httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
  BALANCE_NOT_SUFFICIENT: { httpStatus: 400, code: -2018, msg: 'Balance is insufficient.' },
  MARGIN_NOT_SUFFICIENT: { httpStatus: 400, code: -2019, msg: 'Margin is insufficient.' },
  INSUFFICIENT_BALANCE_FOR_ACTION: { httpStatus: 400, code: -2010, msg: 'Account has insufficient balance for requested action.' },
  ORDER_WOULD_IMMEDIATELY_TRIGGER: { httpStatus: 400, code: -2021, msg: 'Order would immediately trigger.' },
  REDUCE_ONLY_REJECT: { httpStatus: 400, code: -2022, msg: 'ReduceOnly Order is rejected.' },
  MAX_OPEN_ORDER_EXCEEDED: { httpStatus: 400, code: -4015, msg: 'Exceeded the maximum allowable number of open orders.' },
  PRICE_LESS_THAN_ZERO: { httpStatus: 400, code: -4001, msg: 'Price less than 0.' },
  QTY_LESS_THAN_ZERO: { httpStatus: 400, code: -4003, msg: 'Quantity less than or equal to zero.' },
  QTY_GREATER_THAN_MAX_QTY: { httpStatus: 400, code: -4005, msg: 'Quantity greater than max quantity.' },
  PRICE_GREATER_THAN_MAX_PRICE: { httpStatus: 400, code: -4006, msg: 'Price greater than max price.' },
  INVALID_PRECISION_PRICE: { httpStatus: 400, code: -4014, msg: 'Price not increased by tick size.' },
  INVALID_STEP_SIZE: { httpStatus: 400, code: -4023, msg: 'Qty not increased by step size.' },
  INVALID_LEVERAGE: { httpStatus: 400, code: -4028, msg: 'Leverage is not valid.' },
  NO_NEED_TO_CHANGE_MARGIN_TYPE: { httpStatus: 400, code: -4046, msg: 'No need to change margin type.' },
  MARGIN_TYPE_CHANGE_WITH_OPEN_ORDERS: { httpStatus: 400, code: -4047, msg: 'Margin type cannot be changed if there exists open orders.' },
  MARGIN_TYPE_CHANGE_WITH_POSITION: { httpStatus: 400, code: -4048, msg: 'Margin type cannot be changed if there exists position.' },
  CROSS_BALANCE_INSUFFICIENT: { httpStatus: 400, code: -4050, msg: 'Cross balance insufficient.' },
  ISOLATED_BALANCE_INSUFFICIENT: { httpStatus: 400, code: -4051, msg: 'Isolated balance insufficient.' },
  PRICE_OUT_OF_PERCENT_BAND: { httpStatus: 400, code: -4131, msg: 'The counterparty\'s best price does not meet the PERCENT_PRICE filter limit.' },
  MIN_NOTIONAL: { httpStatus: 400, code: -4164, msg: "Order's notional must be no smaller than the minimum notional." },
  FOK_NOT_FILLED: { httpStatus: 400, code: -5021, msg: 'Due to the order could not be filled immediately, the FOK order has been rejected.' },
  POST_ONLY_WOULD_TAKE: { httpStatus: 400, code: -5022, msg: 'Due to the order could not be executed as maker, the Post Only order will be rejected.' },
  NO_NEED_TO_MODIFY: { httpStatus: 400, code: -5027, msg: 'No need to modify the order.' },
  MARKET_CLOSED: { httpStatus: 400, code: -4000, msg: 'Market is closed.' },
  MAX_POSITION_AT_LEVERAGE: { httpStatus: 400, code: -2027, msg: 'Exceeded the maximum allowable position at current leverage.' },
  DUPLICATE_CLIENT_ORDER_ID: { httpStatus: 400, code: -4116, msg: 'ClientOrderId is duplicated.' },
  INVALID_POSITION_SIDE: { httpStatus: 400, code: -4061, msg: "Order's position side does not match user's setting." },
  INVALID_MARGIN_AMOUNT: { httpStatus: 400, code: -4086, msg: 'Invalid position margin change type.' },
  DUPLICATE_PARAMETER: { httpStatus: 400, code: -1101, msg: 'Duplicate values for a parameter detected.' },
  BAD_RECV_WINDOW: { httpStatus: 400, code: -1131, msg: 'recvWindow must be less than 60000' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, code: -1000, msg: 'Request body is too large.' },
  NOT_FOUND: { httpStatus: 404, code: -1000, msg: 'Not found.' },
  REQUEST_TIMEOUT: { httpStatus: 408, code: -1007, msg: 'Timeout waiting for the request.' },
  QTY_LESS_THAN_MIN_QTY: { httpStatus: 400, code: -4004, msg: 'Quantity less than min quantity.' },
  PRICE_HIGHER_THAN_MULTIPLIER_UP: { httpStatus: 400, code: -4016, msg: 'Limit price can\'t be higher than the PERCENT_PRICE filter limit.' },
  PRICE_LOWER_THAN_MULTIPLIER_DOWN: { httpStatus: 400, code: -4024, msg: 'Limit price can\'t be lower than the PERCENT_PRICE filter limit.' },
  // the margin (SAPI) codes of Binance's cross-margin account
  MARGIN_BORROW_EXCEEDS_MAX: { httpStatus: 400, code: -3006, msg: 'Your borrow amount has exceed maximum borrow amount.' },
  MARGIN_BORROW_NOT_ALLOWED: { httpStatus: 400, code: -3008, msg: 'Borrow not allowed.' },
  MARGIN_REPAY_EXCEEDS_BORROW: { httpStatus: 400, code: -3015, msg: 'Repay amount exceeds borrow amount.' },
  MARGIN_BALANCE_NOT_ENOUGH: { httpStatus: 400, code: -3041, msg: 'Balance is not enough' },
  MARGIN_POOL_NOT_ENOUGH: { httpStatus: 400, code: -3045, msg: "The system doesn't have enough asset now." },
  MARGIN_LEVEL_TOO_LOW: { httpStatus: 400, code: -3044, msg: 'Margin level is too low for this action.' },
} as const satisfies Record<string, ErrorTemplate>;

export type BinanceErrorName = keyof typeof BinanceErrors;

/** A refusal from the catalogue; `detail`, when given, follows the Binance text. */
export function binanceError(name: BinanceErrorName, detail?: string): BinanceError {
  const t: ErrorTemplate = BinanceErrors[name];
  return new BinanceError(t.httpStatus, t.code, detail === undefined ? t.msg : `${t.msg} ${detail}`);
}
