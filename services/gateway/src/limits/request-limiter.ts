/**
 * Request limits in Binance's manner (BINANCE-COMPAT.md §5): a request weight per
 * IP and per API key over a sliding minute, and an order count per key over 10 s
 * and 1 min. The answer for one request is computed in O(1) with bounded memory
 * (bounded-map.ts, ring-window.ts) and no I/O; the caller passes the clock.
 *
 * Escalation: a refused request (429) opens a cool-down until the window frees
 * up (`Retry-After`). A client that sends `strikesBeforeBan` more requests during
 * its cool-down is banned by IP (418), for 2 min the first time, doubling each
 * time after, up to 3 days (Binance's scale); a ban outlives idleness.
 *
 * Refused requests do not add weight or orders (the counters show what was
 * served), but they do count as strikes.
 */
import { BoundedMap } from './bounded-map.js';
import { RingWindow } from './ring-window.js';

export interface RequestLimits {
  readonly weightPerMinutePerIp: number;
  readonly weightPerMinutePerKey: number;
  readonly ordersPer10sPerKey: number;
  readonly ordersPerMinutePerKey: number;
  readonly strikesBeforeBan: number;
  readonly firstBanMs: number;
  readonly maxBanMs: number;
  /** Most clients (IPs, keys) tracked at once; the least recently seen go first. */
  readonly maxTrackedClients: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  weightPerMinutePerIp: 2_400,
  weightPerMinutePerKey: 2_400,
  ordersPer10sPerKey: 300,
  ordersPerMinutePerKey: 1_200,
  strikesBeforeBan: 3,
  firstBanMs: 120_000,
  maxBanMs: 3 * 24 * 3_600_000,
  maxTrackedClients: 100_000,
};

export type LimitVerdict = 'ok' | 'weight' | 'orders' | 'banned';

/** The answer for one request; reused per limiter (read it before the next call). */
export interface LimitDecision {
  verdict: LimitVerdict;
  /** Weight used in the minute (the larger of the IP's and the key's), after this request. */
  usedWeight1m: number;
  /** The key's order counts after this request (0 without a key). */
  orderCount10s: number;
  orderCount1m: number;
  /** Seconds to wait, when refused. */
  retryAfterS: number;
}

class IpState {
  lastUsedMs = 0;
  readonly weight = new RingWindow(10_000, 6);
  coolUntilMs = 0;
  strikes = 0;
  bannedUntilMs = 0;
  bans = 0;
}

class KeyState {
  lastUsedMs = 0;
  readonly weight = new RingWindow(10_000, 6);
  readonly orders10s = new RingWindow(1_000, 10);
  readonly orders1m = new RingWindow(10_000, 6);
}

const MINUTE_MS = 60_000;

export class RequestLimiter {
  private readonly ips: BoundedMap<IpState>;
  private readonly keys: BoundedMap<KeyState>;
  private readonly decision: LimitDecision = { verdict: 'ok', usedWeight1m: 0, orderCount10s: 0, orderCount1m: 0, retryAfterS: 0 };
  readonly refusals = { weight: 0, orders: 0, banned: 0, bansIssued: 0 };

  constructor(readonly limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {
    this.ips = new BoundedMap<IpState>(limits.maxTrackedClients, MINUTE_MS, (s, now) => s.bannedUntilMs <= now);
    this.keys = new BoundedMap<KeyState>(limits.maxTrackedClients, MINUTE_MS);
  }

  get trackedClients(): number {
    return this.ips.size + this.keys.size;
  }

  /**
   * Admits or refuses one request of `weight` from `ip`, for `apiKey` (a live
   * key, or undefined: unknown keys are not tracked, so a sprayed key costs
   * nothing), counting an order when `isOrder`.
   */
  admit(nowMs: number, ip: string, apiKey: string | undefined, weight: number, isOrder: boolean): LimitDecision {
    const d = this.decision;
    const l = this.limits;
    const ipState = this.ips.getOrCreate(ip, nowMs, () => new IpState());
    ipState.lastUsedMs = nowMs;
    d.orderCount10s = 0;
    d.orderCount1m = 0;
    d.retryAfterS = 0;
    if (ipState.bannedUntilMs > nowMs) {
      this.refusals.banned++;
      d.verdict = 'banned';
      d.usedWeight1m = ipState.weight.total(nowMs);
      d.retryAfterS = Math.ceil((ipState.bannedUntilMs - nowMs) / 1000);
      return d;
    }
    if (ipState.coolUntilMs > nowMs && ++ipState.strikes >= l.strikesBeforeBan) return this.ban(ipState, nowMs);
    const key = apiKey === undefined ? undefined : this.keys.getOrCreate(apiKey, nowMs, () => new KeyState());
    if (key !== undefined) key.lastUsedMs = nowMs;
    const ipWeight = ipState.weight.total(nowMs);
    const keyWeight = key === undefined ? 0 : key.weight.total(nowMs);
    d.usedWeight1m = Math.max(ipWeight, keyWeight);
    if (ipWeight + weight > l.weightPerMinutePerIp || (key !== undefined && keyWeight + weight > l.weightPerMinutePerKey)) {
      const reliefMs = Math.max(ipWeight + weight > l.weightPerMinutePerIp ? ipState.weight.msUntilRelief(nowMs) : 0, key === undefined ? 0 : key.weight.msUntilRelief(nowMs));
      return this.refuse(ipState, 'weight', nowMs, reliefMs);
    }
    if (key !== undefined && isOrder) {
      const c10 = key.orders10s.total(nowMs);
      const c60 = key.orders1m.total(nowMs);
      d.orderCount10s = c10;
      d.orderCount1m = c60;
      if (c10 + 1 > l.ordersPer10sPerKey || c60 + 1 > l.ordersPerMinutePerKey) {
        const reliefMs = c10 + 1 > l.ordersPer10sPerKey ? key.orders10s.msUntilRelief(nowMs) : key.orders1m.msUntilRelief(nowMs);
        return this.refuse(ipState, 'orders', nowMs, reliefMs);
      }
      d.orderCount10s = key.orders10s.add(nowMs, 1);
      d.orderCount1m = key.orders1m.add(nowMs, 1);
    } else if (key !== undefined) {
      d.orderCount10s = key.orders10s.total(nowMs);
      d.orderCount1m = key.orders1m.total(nowMs);
    }
    const ipAfter = ipState.weight.add(nowMs, weight);
    const keyAfter = key === undefined ? 0 : key.weight.add(nowMs, weight);
    d.usedWeight1m = Math.max(ipAfter, keyAfter);
    d.verdict = 'ok';
    ipState.strikes = 0;
    return d;
  }

  private refuse(ipState: IpState, verdict: 'weight' | 'orders', nowMs: number, reliefMs: number): LimitDecision {
    const d = this.decision;
    this.refusals[verdict]++;
    d.verdict = verdict;
    d.retryAfterS = Math.max(1, Math.ceil(reliefMs / 1000));
    ipState.coolUntilMs = Math.max(ipState.coolUntilMs, nowMs + d.retryAfterS * 1000);
    return d;
  }

  private ban(ipState: IpState, nowMs: number): LimitDecision {
    const d = this.decision;
    const l = this.limits;
    const banMs = Math.min(l.maxBanMs, l.firstBanMs * 2 ** Math.min(ipState.bans, 30));
    ipState.bans++;
    ipState.strikes = 0;
    ipState.bannedUntilMs = nowMs + banMs;
    ipState.coolUntilMs = 0;
    this.refusals.bansIssued++;
    this.refusals.banned++;
    d.verdict = 'banned';
    d.usedWeight1m = ipState.weight.total(nowMs);
    d.retryAfterS = Math.ceil(banMs / 1000);
    return d;
  }
}
