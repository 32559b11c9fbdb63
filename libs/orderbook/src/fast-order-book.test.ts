import { createFastOrderBook } from './fast-order-book.js';
import { describeOrderBookContract } from './order-book-contract.js';

describeOrderBookContract('fast book', createFastOrderBook);
// a tiny initial capacity makes every pool and index grow during the scenarios
describeOrderBookContract('fast book (growing pools)', (config, sink) => createFastOrderBook(config, sink, { initialOrderCapacity: 1 }));
