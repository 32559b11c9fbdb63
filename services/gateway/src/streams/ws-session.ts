/**
 * One WebSocket connection of the stream server, with a bounded send path.
 *
 * Slow consumers: nothing is queued in this process beyond what `ws` holds for the
 * socket. Before each send the session checks `socket.bufferedAmount` (bytes not yet
 * handed to the kernel) against `maxBufferedBytes` and the frames sent but not yet
 * written against `maxPendingFrames`; over either bound it stops sending and closes
 * with **1008 "slow consumer"** (documented in the README's stream section), then
 * terminates the socket after `closeGraceMs` if the close handshake cannot complete.
 * Memory per session is therefore bounded by the two limits whatever the client does.
 *
 * Frames: a session on `/stream` gets `{"stream":name,"data":…}` envelopes, one on
 * `/ws` the raw payload (BINANCE-COMPAT §4); the hub builds both texts once per event.
 */
import type { WebSocket } from 'ws';

export interface SessionLimits {
  maxBufferedBytes: number;
  maxPendingFrames: number;
  maxSubscriptions: number;
  /** Control frames (SUBSCRIBE, …) per second; over it the session is closed 1008 (Binance: 10). */
  maxIncomingPerSecond: number;
  closeGraceMs: number;
  /** The server pings every session this often; a session that has not answered the previous ping is terminated. */
  pingIntervalMs: number;
}

export const defaultSessionLimits: SessionLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingFrames: 10_000,
  maxSubscriptions: 200,
  maxIncomingPerSecond: 10,
  closeGraceMs: 5_000,
  pingIntervalMs: 180_000,
};

export const CloseCodes = {
  /** The client did not read fast enough: its send queue went over the bound. */
  SLOW_CONSUMER: { code: 1008, reason: 'slow consumer' },
  /** Too many control frames per second. */
  TOO_MANY_MESSAGES: { code: 1008, reason: 'too many messages' },
  /** The server is at its session cap. */
  TRY_AGAIN_LATER: { code: 1013, reason: 'too many sessions' },
  /** The path named a stream this server does not serve. */
  UNKNOWN_STREAM: { code: 1008, reason: 'unknown stream' },
  /** The user-data stream's listenKey expired or was closed. */
  LISTEN_KEY_EXPIRED: { code: 4001, reason: 'listenKey expired' },
  SHUTDOWN: { code: 1001, reason: 'server shutting down' },
  /** The operator stream (dashboard/operator-stream.ts) was not given the admin token. */
  UNAUTHORIZED: { code: 4401, reason: 'unauthorized' },
} as const;

export type CloseReason = (typeof CloseCodes)[keyof typeof CloseCodes];

export class WsSession {
  readonly streams = new Set<string>();
  /** The user-data stream this session carries (listenKey and its account), if any. */
  listenKey: string | undefined;
  accountId = 0;
  /** Cancel the account's orders when this session closes (user-data sessions that ask for it). */
  cancelOnDisconnect = false;
  closed = false;
  closeReason: CloseReason | undefined;
  framesSent = 0;
  /** Answered the last ping (or none sent yet). */
  alive = true;
  /** Called once when the session starts closing (the hub stops routing to it at once). */
  onClosing: (() => void) | undefined;
  private pendingFrames = 0;
  private incomingSecond = 0;
  private incomingCount = 0;
  private readonly onWritten = (): void => {
    this.pendingFrames--;
  };

  constructor(
    readonly id: number,
    readonly socket: WebSocket,
    /** True on `/stream` (combined envelopes). */
    public combined: boolean,
    private readonly limits: SessionLimits,
  ) {}

  /**
   * Sends a market or user frame (`combinedText`: the `{stream,data}` envelope, for
   * sessions on /stream); closes the session instead when it is over its bound.
   */
  send(raw: string, combinedText: string): void {
    if (this.closed) return;
    this.sendText(this.combined ? combinedText : raw);
  }

  /** A reply to a control frame (never enveloped). */
  reply(body: object): void {
    if (!this.closed) this.sendText(JSON.stringify(body));
  }

  private sendText(text: string): void {
    if (this.pendingFrames >= this.limits.maxPendingFrames || this.socket.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      this.close(CloseCodes.SLOW_CONSUMER);
      return;
    }
    this.pendingFrames++;
    this.framesSent++;
    this.socket.send(text, this.onWritten);
  }

  /** Counts one incoming frame; false when the client is over its rate (the session is then closed). */
  admitIncoming(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1_000);
    if (second !== this.incomingSecond) {
      this.incomingSecond = second;
      this.incomingCount = 0;
    }
    if (++this.incomingCount > this.limits.maxIncomingPerSecond) {
      this.close(CloseCodes.TOO_MANY_MESSAGES);
      return false;
    }
    return true;
  }

  get subscriptionRoom(): number {
    return this.limits.maxSubscriptions - this.streams.size;
  }

  /**
   * Keepalive (Binance: a ping every 3 min, the connection dropped without a pong): a
   * session that did not pong since the previous ping is terminated (no close frame:
   * the peer is gone or stuck); otherwise it is pinged again.
   */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.closed = true;
      this.onClosing?.();
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.onClosing?.();
    this.socket.close(reason.code, reason.reason);
    // not unref'd: a server shutting down waits for this socket, so the timer must fire
    const timer = setTimeout(() => this.socket.terminate(), this.limits.closeGraceMs);
    this.socket.once('close', () => clearTimeout(timer));
  }
}
