/** An asset and the size of its smallest unit (amounts are integer counts of it). */
import { DomainError } from './domain-error.js';
import { decimalToUnits, formatScaled } from './decimal.js';
import { requireNonNegativeInteger } from './safe-integer.js';

export interface AssetSpec {
  readonly asset: string;
  /** USDT: 6 → amounts are micro-USDT. */
  readonly decimals: number;
}

export function createAssetSpec(asset: string, decimals: number): AssetSpec {
  if (!/^[A-Z0-9]{2,12}$/.test(asset)) throw new DomainError('DOMAIN_INVALID_ASSET', `asset code ${JSON.stringify(asset)} is invalid`);
  requireNonNegativeInteger(`${asset}.decimals`, decimals);
  if (decimals > 18) throw new DomainError('DOMAIN_INVALID_ASSET', `${asset}.decimals must be <= 18`);
  return Object.freeze({ asset, decimals });
}

/** "12.5" → 12_500_000n micro-units for a 6-decimal asset; refuses digits below one unit. */
export function amountToUnits(spec: AssetSpec, text: unknown, field = 'amount'): bigint {
  return decimalToUnits(field, text, spec.decimals);
}

export function formatAmount(spec: AssetSpec, amountUnits: bigint | number): string {
  return formatScaled(amountUnits, spec.decimals);
}
