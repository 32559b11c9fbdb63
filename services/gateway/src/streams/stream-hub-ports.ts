/**
 * The stream hub's ports (the seam with gw-trading, /tmp brief "Stream hub port"):
 * the trading side publishes user-data events into `UserStreamSink`; the listenKey
 * routes and the composition use `ListenKeys`; the composition receives
 * `onSessionClosed` for sessions that asked for cancel-on-disconnect.
 */
export interface UserStreamSink {
  /** Sends one user-data event (already in Binance JSON shape, e.g. ORDER_TRADE_UPDATE) to every live session of the account. */
  publishToAccount(accountId: number, event: object): void;
  /** Whether the account has a live user-data session (publishers skip building events nobody receives). */
  hasUserStream(accountId: number): boolean;
}

export interface ListenKeys {
  /** POST /fapi/v1/listenKey (returns the account's live key if one exists, as Binance). */
  create(accountId: number): string;
  /** PUT: extends the live key; false when the account has none. */
  keepAlive(accountId: number): boolean;
  /** DELETE. */
  close(accountId: number): void;
  accountOf(listenKey: string): number | undefined;
}

export interface StreamHubHooks {
  /**
   * A user-data session opened with `cancelOnDisconnect=true` closed (client gone,
   * slow consumer, key expired): the composition cancels the account's open orders.
   */
  onSessionClosed?(accountId: number): void;
}
