export * from './order-book.js';
export { createReferenceOrderBook } from './reference-order-book.js';
