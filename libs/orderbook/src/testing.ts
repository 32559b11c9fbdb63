/**
 * Test helpers for packages that use the order book (subpath `@perpcore/orderbook/testing`):
 * a sink that records events, and the contract suite for any further implementation.
 * Kept out of the main entry so production code never pulls in `node:test`.
 */
export { RecordingSink, type RecordedEvent } from './recording-sink.js';
export { describeOrderBookContract } from './order-book-contract.js';
