export * from './order-book.js';
export { createReferenceOrderBook } from './reference-order-book.js';
export { createFastOrderBook, type FastOrderBookOptions } from './fast-order-book.js';
export { createPlaceOrderCommand } from './place-order-command.js';
export { type BookOrderState, type BookState, checkBookState } from './book-state.js';
