/**
 * One WebSocket API connection: each text frame is one request, answered by one
 * reply frame carrying the request's id. Requests run concurrently, as on Binance,
 * so a slow one (an order waiting for the core) does not hold the next; replies
 * go out as they complete.
 *
 * Bounds: at most `maxInFlight` requests at once (more are refused -1003 and not
 * run); a frame that never reaches a route (not JSON, unknown method, …) weighs 1
 * against the IP in the request limiter, so bad frames are limited like requests;
 * a client that does not read its replies is closed 1008 "slow consumer" once
 * `maxBufferedBytes` wait in its socket (the market streams' rule, ws-session.ts).
 */
import type { RawData, WebSocket } from 'ws';
import { binanceError } from '../binance/binance-error.js';
import type { RequestLimiter } from '../limits/request-limiter.js';
import { CloseCodes } from '../streams/ws-session.js';
import { errorReply, runWsApiRequest, type WsApiCallContext, type WsApiReply } from './ws-api-call.js';
import { readRequestFrame } from './ws-api-frame.js';

export interface WsApiSessionLimits {
  readonly maxInFlight: number;
  readonly maxBufferedBytes: number;
}

export const DEFAULT_WS_API_SESSION_LIMITS: WsApiSessionLimits = { maxInFlight: 64, maxBufferedBytes: 4 * 1024 * 1024 };

export class WsApiSession {
  private inFlight = 0;
  private open = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: WsApiCallContext,
    private readonly limiter: RequestLimiter,
    private readonly limits: WsApiSessionLimits,
    private readonly onFault: (error: unknown) => void,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => {
      this.open = false;
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const req = isBinary ? { id: null, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', 'Requests are JSON in text frames.') } : readRequestFrame(rawText(data));
    if ('error' in req) {
      const d = this.limiter.admit(this.ctx.nowMs(), this.ctx.ip, undefined, 1, false);
      if (d.verdict === 'banned') return this.reply(errorReply(req.id, binanceError('IP_BANNED', `Banned for ${d.retryAfterS} s.`)));
      if (d.verdict !== 'ok') return this.reply(errorReply(req.id, binanceError('TOO_MANY_REQUESTS')));
      return this.reply(errorReply(req.id, req.error));
    }
    if (this.inFlight >= this.limits.maxInFlight) return this.reply(errorReply(req.id, binanceError('TOO_MANY_REQUESTS', `At most ${this.limits.maxInFlight} requests in flight per connection.`)));
    this.inFlight++;
    runWsApiRequest(this.ctx, req)
      .then((reply) => this.reply(reply))
      .catch((error: unknown) => {
        // inject answers every route error itself; reaching here is a fault of this layer
        this.onFault(error);
        this.reply(errorReply(req.id, binanceError('INTERNAL')));
      })
      .finally(() => {
        this.inFlight--;
      });
  }

  private reply(reply: WsApiReply): void {
    if (!this.open) return;
    const text = JSON.stringify(reply);
    if (this.socket.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      this.open = false;
      this.socket.close(CloseCodes.SLOW_CONSUMER.code, CloseCodes.SLOW_CONSUMER.reason);
      return;
    }
    this.socket.send(text);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
