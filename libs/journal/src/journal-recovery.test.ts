import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { crc32, crc32Table } from './crc32.js';
import { Journal } from './journal.js';
import { FRAME_HEADER_BYTES } from './record-frame.js';
import { JournalOpenError, listSegments, readJournalHeader, readRecords } from './segment-files.js';

const VENUE = { venueFingerprint: 'venue-a', meta: { seed: 1 } };

const made: string[] = [];
after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'journal-test-'));
  made.push(dir);
  return dir;
}

function payloadOf(i: number, size = 5 + (i % 7)): Uint8Array {
  return Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) & 0xff);
}

/** A closed journal holding `payloads` (policy always), and its single segment file. */
async function writeJournal(payloads: readonly Uint8Array[]): Promise<{ dir: string; file: string }> {
  const dir = tempDir();
  const journal = Journal.open(dir, VENUE, { fsync: 'always' });
  for (const p of payloads) journal.append(p);
  await journal.close();
  return { dir, file: join(dir, (listSegments(dir)[0] as { name: string }).name) };
}

function records(dir: string): { seq: number; payload: number[] }[] {
  return Array.from(readRecords(dir, VENUE.venueFingerprint), (r) => ({ seq: r.seq, payload: [...r.payload] }));
}

function snapshotFiles(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).map((n) => [n, fs.readFileSync(join(dir, n)).toString('hex')]));
}

test('crc32 from zlib equals the portable table version', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => crc32(bytes) === crc32Table(bytes)));
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('a journal reopens with every record in order and continues the sequence', async () => {
  const payloads = Array.from({ length: 50 }, (_, i) => payloadOf(i));
  const { dir } = await writeJournal(payloads);
  const journal = Journal.open(dir, VENUE);
  assert.equal(journal.recovery.lastSeq, 50);
  assert.equal(journal.recovery.cut, null);
  assert.deepEqual(
    records(dir),
    payloads.map((p, i) => ({ seq: i + 1, payload: [...p] })),
  );
  assert.equal(journal.append(payloadOf(99)), 51);
  assert.equal(await journal.flush(), 51);
  await journal.close();
  assert.equal(records(dir).length, 51);
});

test('a torn last record is detected and cut at every byte offset, and appending continues after the cut', async () => {
  const payloads = Array.from({ length: 4 }, (_, i) => payloadOf(i, 24));
  const { dir, file } = await writeJournal(payloads);
  const whole = fs.readFileSync(file);
  const lastFrame = FRAME_HEADER_BYTES + 24;
  const cutPoint = whole.length - lastFrame;
  for (let kept = 0; kept < lastFrame; kept++) {
    fs.writeFileSync(file, whole.subarray(0, cutPoint + kept));
    const journal = Journal.open(dir, VENUE, { fsync: 'always' });
    assert.equal(journal.recovery.lastSeq, 3, `kept ${kept} bytes of the last record`);
    if (kept === 0) assert.equal(journal.recovery.cut, null);
    else assert.deepEqual(journal.recovery.cut?.bytesCut, kept);
    assert.equal(fs.statSync(file).size, cutPoint, 'the torn bytes are gone from the file');
    assert.equal(records(dir).length, 3);
    assert.equal(journal.append(payloadOf(7)), 4);
    await journal.close();
    assert.deepEqual(records(dir)[3], { seq: 4, payload: [...payloadOf(7)] });
  }
});

test('a flipped bit is detected: in the last record it is cut as a torn tail, in an earlier one the journal is refused untouched', async () => {
  const payloads = Array.from({ length: 6 }, (_, i) => payloadOf(i, 20));
  const { dir, file } = await writeJournal(payloads);
  const whole = fs.readFileSync(file);
  const frame = FRAME_HEADER_BYTES + 20;
  const firstFrame = whole.length - 6 * frame;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: firstFrame, max: whole.length - 1 }), fc.integer({ min: 0, max: 7 }), async (byte, bit) => {
      const damaged = Buffer.from(whole);
      damaged[byte] = (damaged[byte] as number) ^ (1 << bit);
      fs.writeFileSync(file, damaged);
      const inLast = byte >= whole.length - frame;
      if (inLast) {
        const journal = Journal.open(dir, VENUE);
        assert.equal(journal.recovery.lastSeq, 5);
        assert.notEqual(journal.recovery.cut, null);
        await journal.close();
      } else {
        assert.throws(() => Journal.open(dir, VENUE), (e: unknown) => e instanceof JournalOpenError && /damaged at byte \d+ .*refused, nothing changed/.test(e.message));
        assert.ok(fs.readFileSync(file).equals(damaged), 'nothing overwritten');
      }
    }),
    { numRuns: 60 },
  );
});

test('a journal of another venue fingerprint or format version is refused with a clear message and nothing is overwritten', async () => {
  const { dir, file } = await writeJournal([payloadOf(1), payloadOf(2)]);
  const before = snapshotFiles(dir);
  assert.throws(() => Journal.open(dir, { venueFingerprint: 'venue-b' }), /written for venue fingerprint venue-a, this exchange is venue-b.*refused, nothing changed/);
  assert.deepEqual(snapshotFiles(dir), before);
  const other = fs.readFileSync(file);
  other.writeUInt32LE(2, 8); // format version field (its header checksum then fails too: either way refused)
  fs.writeFileSync(file, other);
  const damaged = snapshotFiles(dir);
  assert.throws(() => Journal.open(dir, VENUE), (e: unknown) => e instanceof JournalOpenError && /refused, nothing changed/.test(e.message));
  assert.deepEqual(snapshotFiles(dir), damaged);
  fs.writeFileSync(join(dir, '00000000000000000001.seg'), Buffer.from('not a journal at all'));
  assert.throws(() => Journal.open(dir, VENUE), /bad magic/);
});

test('the journal header is read from the first segment alone, and a damaged or cut one is refused naming why', async () => {
  const { dir, file } = await writeJournal(Array.from({ length: 200 }, (_, i) => payloadOf(i, 300)));
  const header = readJournalHeader(dir);
  assert.equal(header?.venueFingerprint, VENUE.venueFingerprint);
  assert.deepEqual(header?.meta, VENUE.meta);
  assert.equal(header?.firstSeq, 1);
  const bytes = fs.readFileSync(file);
  const headerEnd = 16 + bytes.readUInt32LE(12) + 4;
  fs.writeFileSync(file, bytes.subarray(0, headerEnd - 1));
  assert.throws(() => readJournalHeader(dir), /segment header is incomplete; refused, nothing changed/);
  const flipped = Buffer.from(bytes);
  flipped[20] = (flipped[20] as number) ^ 1;
  fs.writeFileSync(file, flipped);
  assert.throws(() => readJournalHeader(dir), /segment header checksum mismatch/);
  fs.writeFileSync(file, Buffer.from('PERPJ'));
  assert.throws(() => readJournalHeader(dir), /bad magic/);
  assert.equal(readJournalHeader(tempDir()), null);
});
