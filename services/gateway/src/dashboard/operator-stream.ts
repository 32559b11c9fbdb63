/**
 * The operator-only WebSocket stream (`/v1/admin/stream`): the dashboard's risk
 * feed, accounts at risk, insurance funds and stage figures.
 *
 * Authentication: a browser cannot set headers on a WebSocket, so the first frame
 * must be `{"method":"AUTH","token":"<admin token>"}` (or the upgrade request carries
 * `Authorization: Bearer <token>`, for other clients). Until then the session gets
 * nothing; a wrong token, any other first frame or no frame within `authTimeoutMs`
 * closes it with 4401 "unauthorized" after one error frame
 * `{"type":"error","code":"ADMIN_UNAUTHORIZED",…}`.
 *
 * Frames after authentication: `{"type":"snapshot",…}` once (the state as
 * GET /v1/admin/dashboard/state answers it), then `{"type":"feed","item":…}` per
 * risk-feed item and `{"type":"tick",…}` once per dashboard tick.
 *
 * Bounded like the market streams: at most `maxSessions` sessions (over it: 1013),
 * each sending through `WsSession`'s bounded path (a slow consumer is closed 1008),
 * and incoming frames limited per second.
 */
import type { WebSocket } from 'ws';
import type { AdminToken } from '../admin/admin-token.js';
import type { StreamClock } from '../streams/stream-clock.js';
import { CloseCodes, defaultSessionLimits, type SessionLimits, WsSession } from '../streams/ws-session.js';

export interface OperatorStreamOptions {
  readonly token: AdminToken;
  readonly clock: StreamClock;
  /** The first frame an authenticated session gets. */
  readonly snapshot: () => object;
  readonly maxSessions?: number;
  readonly authTimeoutMs?: number;
  readonly limits?: Partial<SessionLimits>;
}

export class OperatorStream {
  /** Authenticated sessions (they get the frames). */
  private readonly sessions = new Set<WsSession>();
  /** Every open session, authenticated or not (closed on shutdown). */
  private readonly opened = new Set<WsSession>();
  private readonly limits: SessionLimits;
  private nextId = 1;

  constructor(private readonly options: OperatorStreamOptions) {
    this.limits = { ...defaultSessionLimits, ...options.limits };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  open(socket: WebSocket, authorizationHeader: string | undefined): void {
    const session = new WsSession(this.nextId++, socket, false, this.limits);
    if (this.opened.size >= (this.options.maxSessions ?? 16)) {
      session.close(CloseCodes.TRY_AGAIN_LATER);
      return;
    }
    this.opened.add(session);
    let authenticated = false;
    const admit = () => {
      authenticated = true;
      clearTimeout(timer);
      this.sessions.add(session);
      session.reply({ type: 'snapshot', ...this.options.snapshot() });
    };
    const refuse = (message: string) => {
      clearTimeout(timer);
      session.reply({ type: 'error', code: 'ADMIN_UNAUTHORIZED', message });
      session.close(CloseCodes.UNAUTHORIZED);
    };
    const timer = setTimeout(() => refuse('no AUTH frame in time'), this.options.authTimeoutMs ?? 5_000);
    const detach = () => {
      clearTimeout(timer);
      this.sessions.delete(session);
      this.opened.delete(session);
    };
    session.onClosing = detach;
    socket.on('close', detach);
    socket.on('error', detach);
    socket.on('message', (data, isBinary) => {
      if (!session.admitIncoming(this.options.clock.nowMs())) return;
      if (authenticated) return; // nothing else is asked of this stream
      if (this.options.token.matches(bearerOf(isBinary ? null : data.toString()))) admit();
      else refuse('the first frame must be {"method":"AUTH","token":"<admin token>"} with the operator token');
    });
    if (this.options.token.matches(authorizationHeader)) admit();
  }

  /** Sends one frame to every authenticated session (the text is built once). */
  broadcast(frame: object): void {
    if (this.sessions.size === 0) return;
    const text = JSON.stringify(frame);
    for (const s of [...this.sessions]) s.send(text, text);
  }

  close(): void {
    for (const s of [...this.opened]) s.close(CloseCodes.SHUTDOWN);
  }
}

/** `{"method":"AUTH","token":T}` → "Bearer T" (what AdminToken.matches reads); undefined for anything else. */
function bearerOf(text: string | null): string | undefined {
  if (text === null || text.length > 4_096) return undefined;
  try {
    const frame = JSON.parse(text) as { method?: unknown; token?: unknown };
    return frame !== null && frame.method === 'AUTH' && typeof frame.token === 'string' ? `Bearer ${frame.token}` : undefined;
  } catch {
    return undefined;
  }
}
