/**
 * Decimal strings ↔ exact integers, without floats. The API edge speaks decimal
 * strings ("30001.5"); everything behind it speaks integer ticks, lots and units.
 *
 * Accepted syntax: optional '-', digits, optional '.' and digits. No exponent, no
 * '+', no spaces, no thousands separators; at most 40 significant characters.
 * Anything else is a `DOMAIN_INVALID_DECIMAL` error naming the field.
 */
import { DomainError } from './domain-error.js';

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;
const MAX_DECIMAL_LENGTH = 40;

/** A decimal as `mantissa × 10^-scale`, exact. */
export interface ScaledDecimal {
  readonly mantissa: bigint;
  readonly scale: number;
}

export function parseDecimal(field: string, text: unknown): ScaledDecimal {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_DECIMAL_LENGTH) {
    throw new DomainError('DOMAIN_INVALID_DECIMAL', `${field} must be a decimal string, got ${JSON.stringify(text)}`);
  }
  const m = DECIMAL_PATTERN.exec(text);
  if (m === null) {
    throw new DomainError('DOMAIN_INVALID_DECIMAL', `${field} must be a plain decimal string, got ${JSON.stringify(text)}`);
  }
  const fraction = m[3] ?? '';
  const digits = BigInt(m[2] + fraction);
  return { mantissa: m[1] ? -digits : digits, scale: fraction.length };
}

/**
 * Exact quotient of a decimal by a positive grid step (both decimals): the
 * number of steps. Throws `DOMAIN_OFF_GRID` if the value is not a whole number of steps.
 */
export function decimalToSteps(field: string, text: unknown, step: ScaledDecimal): bigint {
  const value = parseDecimal(field, text);
  const scale = Math.max(value.scale, step.scale);
  const v = value.mantissa * 10n ** BigInt(scale - value.scale);
  const s = step.mantissa * 10n ** BigInt(scale - step.scale);
  if (s <= 0n) throw new DomainError('DOMAIN_INVALID_STEP', `${field}: grid step must be > 0`);
  if (v % s !== 0n) {
    throw new DomainError('DOMAIN_OFF_GRID', `${field} ${String(text)} is not a multiple of ${formatScaled(step.mantissa, step.scale)}`);
  }
  return v / s;
}

/** Parses an amount into an asset's smallest units (`decimals` places); extra non-zero digits are refused. */
export function decimalToUnits(field: string, text: unknown, decimals: number): bigint {
  return decimalToSteps(field, text, { mantissa: 1n, scale: decimals });
}

/** Formats `value × 10^-scale` as a plain decimal string, trailing zeros trimmed. */
export function formatScaled(value: bigint | number, scale: number): string {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  let whole = digits.slice(0, digits.length - scale);
  let fraction = scale > 0 ? digits.slice(digits.length - scale) : '';
  fraction = fraction.replace(/0+$/, '');
  if (whole === '') whole = '0';
  const body = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return negative && body !== '0' ? `-${body}` : body;
}

/** Formats `steps × step` (e.g. ticks × tickSize) as a decimal string. */
export function formatSteps(steps: bigint | number, step: ScaledDecimal): string {
  const s = typeof steps === 'bigint' ? steps : BigInt(steps);
  return formatScaled(s * step.mantissa, step.scale);
}
