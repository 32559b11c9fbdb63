/**
 * A signed request's parameters: `request.query` merged with the form body, every
 * value one string (a repeated parameter is malformed). Routes read what they know
 * through typed accessors that throw the Binance refusal; `done()` refuses any
 * parameter the route did not read (-1104), so a misspelt option is an error,
 * never silently ignored. `timestamp`, `recvWindow` and `signature` belong to auth.
 *
 * Decimal strings become integers only through the market grid (exact steps of
 * tick and lot) or an asset's smallest unit: an off-tick price, an off-step
 * quantity or an amount with more decimals than its asset is refused, never rounded.
 */
import { decimalToSteps, decimalToUnits, DomainError, type MarketSpec, type ScaledDecimal } from '@perpcore/domain';
import type { FastifyRequest } from 'fastify';
import { type BinanceErrorName, binanceError } from '../binance/binance-error.js';

const AUTH_PARAMS = ['timestamp', 'recvWindow', 'signature'];

export class BinanceParams {
  private readonly read = new Set<string>(AUTH_PARAMS);

  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /**
   * An authenticated request's parameters are the ones its signature covers
   * (`requireCaller` decoded them from the text as sent), read once; a body the
   * form parser did not take (JSON, say) would be parameters nobody signed, so it
   * is refused rather than read or ignored. Other requests: the query and body.
   */
  static of(request: FastifyRequest): BinanceParams {
    const signed = request.signedParams;
    if (signed === undefined) return BinanceParams.fromObjects(request.query, request.body);
    if (request.rawBody === undefined && hasFields(request.body)) throw binanceError('UNREAD_PARAMETERS', 'Parameters go in the query or a form body.');
    return new BinanceParams(signed);
  }

  static fromObjects(...sources: unknown[]): BinanceParams {
    const values = new Map<string, string>();
    for (const source of sources) {
      if (source === undefined || source === null || source === '') continue;
      if (typeof source !== 'object') throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED');
      for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
        if (typeof v !== 'string' || values.has(k)) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${k.slice(0, 40)}' was malformed.`);
        values.set(k, v);
      }
    }
    return new BinanceParams(values);
  }

  optional(name: string): string | undefined {
    this.read.add(name);
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${name}' was empty.`);
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], error: Parameters<typeof binanceError>[0] = 'INVALID_PARAMETER'): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw binanceError(error, `Parameter '${name}'.`);
    return v as T;
  }

  /** A required positive amount in the asset's smallest units (-1111 past its decimals, -1130 malformed or out of range). */
  amountUnits(name: string, decimals: number): number {
    return this.unitsOf(name, this.required(name), decimals);
  }

  /** An amount that may be left out (Binance's "mandatory when … is empty" pairs). */
  optionalAmountUnits(name: string, decimals: number): number | undefined {
    const text = this.optional(name);
    return text === undefined ? undefined : this.unitsOf(name, text, decimals);
  }

  private unitsOf(name: string, text: string, decimals: number): number {
    let units: bigint;
    try {
      units = decimalToUnits(name, text, decimals);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw binanceError(/^\d*\.?\d+$/.test(text) ? 'BAD_PRECISION' : 'INVALID_PARAMETER', `Parameter '${name}'.`);
    }
    if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER)) throw binanceError('INVALID_PARAMETER', `Parameter '${name}'.`);
    return Number(units);
  }

  bool(name: string): boolean | undefined {
    const v = this.oneOf(name, ['true', 'false', 'TRUE', 'FALSE']);
    return v === undefined ? undefined : v.toLowerCase() === 'true';
  }

  /** A non-negative integer up to `max`. */
  integer(name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n > max) throw binanceError('INVALID_PARAMETER', `Parameter '${name}'.`);
    return n;
  }

  priceTicks(spec: MarketSpec, name: string): number | undefined {
    return this.gridPriceTicks(name, spec.tick, spec.maxPriceTicks);
  }

  qtyLots(spec: MarketSpec, name: string): number | undefined {
    return this.gridQtyLots(name, spec.lot, spec.maxQtyLots);
  }

  /** A price on any tick grid (a spot pair's as well as a market's). */
  gridPriceTicks(name: string, tick: ScaledDecimal, maxTicks: number): number | undefined {
    return this.onGrid(name, tick, maxTicks, ['INVALID_PRECISION_PRICE', 'PRICE_LESS_THAN_ZERO', 'PRICE_GREATER_THAN_MAX_PRICE']);
  }

  /** A quantity on any lot grid. */
  gridQtyLots(name: string, lot: ScaledDecimal, maxLots: number): number | undefined {
    return this.onGrid(name, lot, maxLots, ['INVALID_STEP_SIZE', 'QTY_LESS_THAN_ZERO', 'QTY_GREATER_THAN_MAX_QTY']);
  }

  /** Whole steps in (0, max]; the refusals for off-grid, ≤ 0 and above max. */
  private onGrid(name: string, step: ScaledDecimal, max: number, errors: readonly [BinanceErrorName, BinanceErrorName, BinanceErrorName]): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const steps = gridSteps(v, name, step, errors[0]);
    if (steps <= 0n) throw binanceError(errors[1]);
    if (steps > BigInt(max)) throw binanceError(errors[2]);
    return Number(steps);
  }

  /** Refuses parameters the route never asked for. */
  done(): void {
    for (const k of this.values.keys()) if (!this.read.has(k)) throw binanceError('UNREAD_PARAMETERS', `Unknown parameter '${k.slice(0, 40)}'.`);
  }
}

function hasFields(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return false;
  return typeof body !== 'object' || Object.keys(body).length > 0;
}

/** Exact steps of the grid; off-grid is `offGrid`, anything that is not a decimal is malformed. */
function gridSteps(text: string, name: string, step: ScaledDecimal, offGrid: BinanceErrorName): bigint {
  try {
    return decimalToSteps(name, text, step);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === 'DOMAIN_OFF_GRID') throw binanceError(offGrid);
    throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${name}' was malformed.`);
  }
}
