/**
 * The stream hub: every WebSocket session of the gateway, the market streams they
 * subscribe to and the user-data streams (listenKeys). Implements the seam's
 * `UserStreamSink` (and re-exports the ports from stream-hub-ports.ts).
 *
 * Invariants
 * - Privacy: a user-data event goes only to sessions opened with a live listenKey of
 *   that account; a listenKey that expires or is closed ends its sessions
 *   (`listenKeyExpired`, then close 4001).
 * - Bounded: at most `maxSessions` sessions (over it: close 1013), each with at most
 *   `maxSubscriptions` streams and a bounded send path (ws-session.ts); a session that
 *   does not answer the server's ping within one interval (3 min) is terminated.
 * - Control protocol (Binance): SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS /
 *   SET_PROPERTY / GET_PROPERTY (`combined`), replies `{"result":…,"id":N}`, errors
 *   `{"error":{"code":N,"msg":…},"id":N}` (ws-protocol.ts).
 */
import type { WebSocket } from 'ws';
import type { MarketDataModel } from '../market-data/market-data-model.js';
import { ListenKeyRegistry } from './listen-keys.js';
import { MarketStreams } from './market-streams.js';
import type { StreamClock } from './stream-clock.js';
import type { StreamHubHooks, UserStreamSink } from './stream-hub-ports.js';
import { handleControlFrame } from './ws-protocol.js';
import { CloseCodes, defaultSessionLimits, type SessionLimits, WsSession } from './ws-session.js';

export type { ListenKeys, StreamHubHooks, UserStreamSink } from './stream-hub-ports.js';

export interface StreamHubOptions {
  model: MarketDataModel;
  clock: StreamClock;
  maxSessions?: number;
  limits?: Partial<SessionLimits>;
  hooks?: StreamHubHooks;
  listenKeyValidityMs?: number;
}

export interface SessionOpen {
  combined: boolean;
  /** Streams named in the URL (`/ws/<a>/<b>`, `/stream?streams=a/b`). */
  streams: readonly string[];
  /** A user-data session's key (`/ws/<listenKey>`, `?listenKey=`). */
  listenKey?: string;
  cancelOnDisconnect?: boolean;
}

export class StreamHub implements UserStreamSink {
  readonly market: MarketStreams;
  readonly listenKeys: ListenKeyRegistry;
  private readonly sessions = new Set<WsSession>();
  private readonly userSessions = new Map<number, Set<WsSession>>();
  private readonly limits: SessionLimits;
  private readonly maxSessions: number;
  private readonly cancelTimers: (() => void)[];
  private nextId = 1;

  constructor(private readonly options: StreamHubOptions) {
    this.limits = { ...defaultSessionLimits, ...options.limits };
    this.maxSessions = options.maxSessions ?? 10_000;
    this.market = new MarketStreams(options.model, options.clock);
    this.listenKeys = new ListenKeyRegistry(() => options.clock.nowMs(), options.listenKeyValidityMs);
    this.cancelTimers = [
      options.clock.every(1_000, () => this.expireListenKeys()),
      options.clock.every(this.limits.pingIntervalMs, () => {
        for (const s of [...this.sessions]) s.heartbeat();
      }),
    ];
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Attaches a new socket; returns undefined (and closes it) when the hub is full or the URL names an unknown stream or key. */
  open(socket: WebSocket, open: SessionOpen): WsSession | undefined {
    const session = new WsSession(this.nextId++, socket, open.combined, this.limits);
    if (this.sessions.size >= this.maxSessions) {
      session.close(CloseCodes.TRY_AGAIN_LATER);
      return undefined;
    }
    this.sessions.add(session);
    session.onClosing = () => this.detach(session);
    socket.on('close', () => this.detach(session));
    socket.on('pong', () => {
      session.alive = true;
    });
    // a protocol error (bad frame, oversized payload): ws closes the socket itself, and 'close' detaches
    socket.on('error', () => this.detach(session));
    socket.on('message', (data, isBinary) => {
      if (!session.admitIncoming(this.options.clock.nowMs())) return;
      handleControlFrame(this, session, isBinary ? null : data.toString());
    });
    if (open.listenKey !== undefined && !this.attachUser(session, open.listenKey, open.cancelOnDisconnect === true)) {
      session.close(CloseCodes.LISTEN_KEY_EXPIRED);
      return undefined;
    }
    for (const name of open.streams) {
      const desc = this.market.resolve(name);
      if (desc === undefined) {
        session.close(CloseCodes.UNKNOWN_STREAM);
        return undefined;
      }
      if (session.subscriptionRoom > 0) this.market.subscribe(session, desc);
    }
    return session;
  }

  /** Binds a session to a live listenKey's account; false when the key is not live. */
  attachUser(session: WsSession, listenKey: string, cancelOnDisconnect: boolean): boolean {
    const accountId = this.listenKeys.accountOf(listenKey);
    if (accountId === undefined) return false;
    if (session.listenKey !== undefined && session.listenKey !== listenKey) return false;
    session.listenKey = listenKey;
    session.accountId = accountId;
    session.cancelOnDisconnect = session.cancelOnDisconnect || cancelOnDisconnect;
    let set = this.userSessions.get(accountId);
    if (set === undefined) {
      set = new Set();
      this.userSessions.set(accountId, set);
    }
    set.add(session);
    return true;
  }

  hasUserStream(accountId: number): boolean {
    return this.userSessions.has(accountId);
  }

  publishToAccount(accountId: number, event: object): void {
    const set = this.userSessions.get(accountId);
    if (set === undefined) return;
    const raw = JSON.stringify(event);
    for (const s of set) s.send(raw, s.combined ? `{"stream":${JSON.stringify(s.listenKey)},"data":${raw}}` : raw);
  }

  private expireListenKeys(): void {
    const now = this.options.clock.nowMs();
    for (const { key, accountId } of this.listenKeys.expire(now)) this.endUserStream(accountId, key, now);
  }

  /** DELETE listenKey: the key's sessions end as if it had expired. */
  closeListenKey(accountId: number): void {
    const key = this.listenKeys.keyOf(accountId);
    this.listenKeys.close(accountId);
    if (key !== undefined) this.endUserStream(accountId, key, this.options.clock.nowMs());
  }

  private endUserStream(accountId: number, key: string, nowMs: number): void {
    const set = this.userSessions.get(accountId);
    if (set === undefined) return;
    const raw = JSON.stringify({ e: 'listenKeyExpired', E: nowMs, listenKey: key });
    for (const s of [...set]) {
      if (s.listenKey !== key) continue;
      s.send(raw, `{"stream":${JSON.stringify(key)},"data":${raw}}`);
      s.close(CloseCodes.LISTEN_KEY_EXPIRED);
    }
  }

  private detach(session: WsSession): void {
    if (!this.sessions.delete(session)) return;
    session.closed = true;
    for (const name of [...session.streams]) this.market.unsubscribe(session, name);
    if (session.listenKey !== undefined) {
      const set = this.userSessions.get(session.accountId);
      set?.delete(session);
      if (set !== undefined && set.size === 0) this.userSessions.delete(session.accountId);
      if (session.cancelOnDisconnect) this.options.hooks?.onSessionClosed?.(session.accountId);
    }
  }

  /** Closes every session (server shutdown) and stops the timers. */
  close(): void {
    for (const s of [...this.sessions]) s.close(CloseCodes.SHUTDOWN);
    for (const cancel of this.cancelTimers) cancel();
    this.market.close();
  }
}
