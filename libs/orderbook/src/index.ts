export * from './order-book.js';
export { createReferenceOrderBook } from './reference-order-book.js';
export { createFastOrderBook, type FastOrderBookOptions } from './fast-order-book.js';
