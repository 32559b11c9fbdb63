/**
 * The dead man's switch (POST /fapi/v1/countdownCancelAll): per (account, market)
 * one wall-clock timer; each call re-arms it, countdownTime 0 disarms it. When it
 * fires, every open order of the account in that market is cancelled through the
 * core (cancel-all). Timers are unref'd (they never keep the process alive) and
 * all cleared on close.
 */
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { binanceError } from '../binance/binance-error.js';
import { BinanceParams } from './binance-params.js';
import type { OrderDesk } from './order-desk.js';
import { callerAccount, marketSpec, type TradingDeps } from './trading-deps.js';

const MAX_COUNTDOWN_MS = 86_400_000;

export class CountdownCancelAll {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly fire: (accountId: number, market: string) => Promise<void>, private readonly onError: (error: unknown) => void) {}

  arm(accountId: number, market: string, countdownMs: number): void {
    const key = `${accountId}|${market}`;
    const old = this.timers.get(key);
    if (old !== undefined) clearTimeout(old);
    this.timers.delete(key);
    if (countdownMs === 0) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(accountId, market).catch(this.onError);
    }, countdownMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  armed(accountId: number, market: string): boolean {
    return this.timers.has(`${accountId}|${market}`);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

export function registerCountdownRoute(app: FastifyInstance, deps: TradingDeps, countdown: CountdownCancelAll): void {
  app.post('/fapi/v1/countdownCancelAll', { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) }, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(deps.client, p.required('symbol'));
    const countdownTime = p.integer('countdownTime', MAX_COUNTDOWN_MS);
    p.done();
    if (countdownTime === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'countdownTime' was empty.");
    countdown.arm(callerAccount(request), spec.symbol, countdownTime);
    return { symbol: spec.symbol, countdownTime: String(countdownTime) };
  });
}

export function countdownFor(desk: OrderDesk, onError: (error: unknown) => void): CountdownCancelAll {
  return new CountdownCancelAll((accountId, market) => desk.cancelAll(accountId, market), onError);
}
