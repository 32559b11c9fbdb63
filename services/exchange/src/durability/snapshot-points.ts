/**
 * The journal positions and state hashes the snapshots in a data directory record
 * (DIR/snapshots), for `npm run replay` to check its own hash at each of them: a
 * replay from the journal alone must reach every snapshot's state exactly. A file
 * whose checksum fails is named and left out (recovery skips it too).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { decodeSnapshotFile } from '@perpcore/snapshot';

export interface SnapshotPoints {
  /** journal seq → the state hash the snapshot at it recorded */
  readonly hashes: ReadonlyMap<number, string>;
  readonly corrupt: readonly string[];
}

export function snapshotPoints(dataDir: string): SnapshotPoints {
  const dir = join(dataDir, 'snapshots');
  const hashes = new Map<number, string>();
  const corrupt: string[] = [];
  if (!fs.existsSync(dir)) return { hashes, corrupt };
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.psnap')).sort()) {
    const file = join(dir, name);
    try {
      const { header } = decodeSnapshotFile(file, fs.readFileSync(file));
      if ('journalSeq' in header.position) hashes.set(header.position.journalSeq, header.stateHash);
    } catch (error) {
      corrupt.push((error as Error).message);
    }
  }
  return { hashes, corrupt };
}
