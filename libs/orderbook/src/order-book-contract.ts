/**
 * The contract every `OrderBook` implementation passes: one table of scenarios,
 * run under a small tick range (direct indexing in the fast book) and a huge one
 * (its sparse ladder). Test-only: not exported from the package entry.
 */
import { describe } from 'node:test';
import type { OrderBookFactory } from './order-book.js';
import { describeConditionalContract } from './contract/conditional-contract.js';
import { HUGE_RANGE, SMALL_RANGE } from './contract/harness.js';
import { describeMatchingContract } from './contract/matching-contract.js';
import { describeOrderManagementContract } from './contract/order-management-contract.js';
import { describeValidationContract } from './contract/validation-contract.js';

export function describeOrderBookContract(name: string, factory: OrderBookFactory): void {
  for (const [rangeName, config] of [
    ['ticks 1..1e6', SMALL_RANGE],
    ['ticks 1..2^40', HUGE_RANGE],
  ] as const) {
    describe(`${name} contract (${rangeName})`, () => {
      describeMatchingContract(factory, config);
      describeOrderManagementContract(factory, config);
      describeConditionalContract(factory, config);
      describeValidationContract(factory, config);
    });
  }
}
