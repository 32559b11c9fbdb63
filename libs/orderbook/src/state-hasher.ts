/**
 * FNV-1a 64 over a stream of non-negative safe integers, each fed as 8 little-endian
 * bytes: the book's `stateHash()`. Both books feed the same canonical walk, so equal
 * states give equal hashes whatever the data structures.
 *
 * The 64-bit state lives in two uint32 halves. Multiplying by the FNV prime
 * 2^40 + 0x1b3 splits into h × 0x1b3 (each half × 0x1b3 < 2^41, exact in float64)
 * plus h × 2^40 (the low half shifted into the high half), all mod 2^64.
 * Check value: the empty stream hashes to the offset basis cbf29ce484222325.
 */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3;
const TWO_32 = 0x1_0000_0000;

export class StateHasher {
  private hi = OFFSET_HI;
  private lo = OFFSET_LO;

  reset(): void {
    this.hi = OFFSET_HI;
    this.lo = OFFSET_LO;
  }

  /** Feeds a non-negative safe integer (negative values must be mapped by the caller). */
  add(value: number): void {
    const low = value % TWO_32;
    const high = (value - low) / TWO_32;
    this.addWord(low);
    this.addWord(high);
  }

  /** Side as 1 (buy) / 2 (sell), booleans as 0/1: keeps every fed value non-negative. */
  addSide(side: number): void {
    this.add(side > 0 ? 1 : 2);
  }

  digest(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }

  private addWord(word: number): void {
    for (let i = 0; i < 4; i++) {
      this.addByte((word >>> (i * 8)) & 0xff);
    }
  }

  private addByte(byte: number): void {
    const lo = (this.lo ^ byte) >>> 0;
    const hi = this.hi;
    const loProduct = lo * PRIME_LO;
    const carry = Math.floor(loProduct / TWO_32);
    this.lo = loProduct >>> 0;
    this.hi = (hi * PRIME_LO + carry + ((lo << 8) >>> 0)) % TWO_32;
  }
}
