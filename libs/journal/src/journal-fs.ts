/**
 * The file operations the journal's write path uses, as a port so a test can make
 * them fail (ENOSPC, EIO) the way a full or broken disk does. The default is
 * node:fs; nothing else in the journal writes.
 */
import * as fs from 'node:fs';

export interface JournalFs {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fdatasyncSync(fd: number): void;
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number, done: (error: Error | null, written: number) => void): void;
  fdatasync(fd: number, done: (error: Error | null) => void): void;
}

export const nodeJournalFs: JournalFs = {
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  write: (fd, buffer, offset, length, position, done) => fs.write(fd, buffer, offset, length, position, (error, written) => done(error, written)),
  fdatasync: (fd, done) => fs.fdatasync(fd, (error) => done(error)),
};
