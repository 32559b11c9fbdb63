import { describeOrderBookContract } from './order-book-contract.js';
import { createReferenceOrderBook } from './reference-order-book.js';

describeOrderBookContract('reference book', createReferenceOrderBook);
