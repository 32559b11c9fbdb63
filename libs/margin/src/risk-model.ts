/**
 * Risk-model selection of a market (the `model` key of the risk parameters),
 * validated once on load like every other key.
 *
 * | key | values | default | module |
 * |---|---|---|---|
 * | `contract` | `LINEAR`, `INVERSE` (+ `contractValueQuote`) | `LINEAR` | inverse-contract.ts |
 * | `initialMargin` | `FIXED` (IM = N / L), `IMF_RAMP` (+ `imfRamp`) | `FIXED` | imf-ramp.ts |
 * | `maintenanceMargin` | `TIERS`, `HYPERLIQUID` | `TIERS` | hyperliquid-margin.ts |
 *
 * Invariants (each failure throws `RISK_INVALID_MARKET_PARAMS` naming `<symbol>.model.<key>`):
 * - unknown keys are refused; `contractValueQuote` only with `INVERSE`, `imfRamp`
 *   only (and always) with `IMF_RAMP`;
 * - `INVERSE`: `contractValueQuote` a positive decimal string (quote currency per
 *   contract, BitMEX XBTUSD: "1" USD); the settle asset is the base coin and the
 *   tier table is in coin units;
 * - `IMF_RAMP`: `0 < baseImfE8 ≤ 1e8`, `baseImfE8 > mmr_1` (initial above
 *   maintenance), `0 ≤ lowerCapUnits < upperCapUnits` (open notional, settle units);
 * - `HYPERLIQUID`: every tier's `mmrE8` is `ceil(1e8 / (2 × maxLeverage))`, the
 *   exact rate rounded up (never under-margins). `hyperliquidTierInputs` builds such rows.
 *
 * Example: `{ initialMargin: 'IMF_RAMP', imfRamp: { baseImfE8: 20_000_000,
 * lowerCapUnits: 25e12, upperCapUnits: 50e12 } }` is dYdX's test liquidity tier 9
 * (IMF 20%, ramp from 25M to 50M USDC of open notional).
 */
import { DomainError, type ScaledDecimal, parseDecimal } from '@perpcore/domain';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8, type TierTable } from './tier-table.js';

export const ContractKind = { Linear: 'LINEAR', Inverse: 'INVERSE' } as const;
export type ContractKind = (typeof ContractKind)[keyof typeof ContractKind];

export const InitialMarginMode = { Fixed: 'FIXED', ImfRamp: 'IMF_RAMP' } as const;
export type InitialMarginMode = (typeof InitialMarginMode)[keyof typeof InitialMarginMode];

export const MaintenanceMarginMode = { Tiers: 'TIERS', Hyperliquid: 'HYPERLIQUID' } as const;
export type MaintenanceMarginMode = (typeof MaintenanceMarginMode)[keyof typeof MaintenanceMarginMode];

/** dYdX's open-interest IMF ramp (imf-ramp.ts). */
export interface ImfRamp {
  readonly baseImfE8: number;
  /** Open notional (settle units) at or below which the IMF is the base. */
  readonly lowerCapUnits: number;
  /** Open notional at which the IMF reaches 100%. */
  readonly upperCapUnits: number;
}

export interface RiskModelInput {
  readonly contract?: ContractKind;
  readonly contractValueQuote?: string;
  readonly initialMargin?: InitialMarginMode;
  readonly imfRamp?: ImfRamp;
  readonly maintenanceMargin?: MaintenanceMarginMode;
}

export interface RiskModel {
  readonly contract: ContractKind;
  /** Quote currency per contract (INVERSE), else null. */
  readonly contractValueQuote: ScaledDecimal | null;
  readonly initialMargin: InitialMarginMode;
  readonly imfRamp: ImfRamp | null;
  readonly maintenanceMargin: MaintenanceMarginMode;
}

const MODEL_KEYS = new Set(['contract', 'contractValueQuote', 'initialMargin', 'imfRamp', 'maintenanceMargin']);
const RAMP_KEYS = new Set(['baseImfE8', 'lowerCapUnits', 'upperCapUnits']);

export const LINEAR_MODEL: RiskModel = Object.freeze({
  contract: ContractKind.Linear,
  contractValueQuote: null,
  initialMargin: InitialMarginMode.Fixed,
  imfRamp: null,
  maintenanceMargin: MaintenanceMarginMode.Tiers,
});

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `${key} ${why}`);
}

function pick<T extends string>(key: string, value: unknown, fallback: T, allowed: Record<string, T>): T {
  if (value === undefined) return fallback;
  const values = Object.values(allowed);
  if (typeof value !== 'string' || !values.includes(value as T)) reject(key, `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function safeInt(key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    reject(key, `must be a safe integer within [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** The exact Hyperliquid rate 1 / (2L) in E8, rounded up. */
export function hyperliquidMmrE8(maxLeverage: number): number {
  return Math.ceil(E8 / (2 * maxLeverage));
}

function imfRampOf(key: string, value: unknown, tiers: TierTable): ImfRamp {
  if (value === null || typeof value !== 'object') reject(key, 'must be an object');
  for (const k of Object.keys(value)) if (!RAMP_KEYS.has(k)) reject(`${key}.${k}`, 'is not an imfRamp key');
  const v = value as Record<string, unknown>;
  const baseImfE8 = safeInt(`${key}.baseImfE8`, v.baseImfE8, 1, E8);
  if (baseImfE8 <= tiers.mmrE8[0]) reject(`${key}.baseImfE8`, `must exceed the first tier's mmrE8 ${tiers.mmrE8[0]}, got ${baseImfE8}`);
  const lowerCapUnits = safeInt(`${key}.lowerCapUnits`, v.lowerCapUnits, 0);
  const upperCapUnits = safeInt(`${key}.upperCapUnits`, v.upperCapUnits, 0);
  if (upperCapUnits <= lowerCapUnits) reject(`${key}.upperCapUnits`, `must be > lowerCapUnits ${lowerCapUnits}, got ${upperCapUnits}`);
  return Object.freeze({ baseImfE8, lowerCapUnits, upperCapUnits });
}

/** Validates the `model` key (see the module doc); `where` is the market symbol. */
export function createRiskModel(where: string, input: RiskModelInput | undefined, tiers: TierTable): RiskModel {
  if (input === undefined) return LINEAR_MODEL;
  const key = `${where}.model`;
  if (input === null || typeof input !== 'object') reject(key, 'must be an object');
  for (const k of Object.keys(input)) if (!MODEL_KEYS.has(k)) reject(`${key}.${k}`, 'is not a model key');
  const contract = pick(`${key}.contract`, input.contract, ContractKind.Linear, ContractKind);
  let contractValueQuote: ScaledDecimal | null = null;
  if (contract === ContractKind.Inverse) {
    if (input.contractValueQuote === undefined) reject(`${key}.contractValueQuote`, 'is required for an INVERSE contract');
    try {
      contractValueQuote = parseDecimal(`${key}.contractValueQuote`, input.contractValueQuote);
    } catch (e) {
      reject(`${key}.contractValueQuote`, (e as Error).message);
    }
    if (contractValueQuote.mantissa <= 0n) reject(`${key}.contractValueQuote`, `must be positive, got ${input.contractValueQuote}`);
  } else if (input.contractValueQuote !== undefined) {
    reject(`${key}.contractValueQuote`, 'is only allowed for an INVERSE contract');
  }
  const initialMargin = pick(`${key}.initialMargin`, input.initialMargin, InitialMarginMode.Fixed, InitialMarginMode);
  let imfRamp: ImfRamp | null = null;
  if (initialMargin === InitialMarginMode.ImfRamp) imfRamp = imfRampOf(`${key}.imfRamp`, input.imfRamp, tiers);
  else if (input.imfRamp !== undefined) reject(`${key}.imfRamp`, 'is only allowed with initialMargin IMF_RAMP');
  const maintenanceMargin = pick(`${key}.maintenanceMargin`, input.maintenanceMargin, MaintenanceMarginMode.Tiers, MaintenanceMarginMode);
  if (maintenanceMargin === MaintenanceMarginMode.Hyperliquid) {
    for (let k = 0; k < tiers.count; k++) {
      const want = hyperliquidMmrE8(tiers.maxLeverage[k]);
      if (tiers.mmrE8[k] !== want) reject(`${where}.tiers[${k}].mmrE8`, `must be ceil(1e8 / (2 × ${tiers.maxLeverage[k]})) = ${want} for HYPERLIQUID maintenance, got ${tiers.mmrE8[k]}`);
    }
  }
  return Object.freeze({ contract, contractValueQuote, initialMargin, imfRamp, maintenanceMargin });
}
