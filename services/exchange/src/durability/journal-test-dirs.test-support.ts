/** Temporary journal directories for the durability tests, and a disk that fills up on demand. */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JournalFs, nodeJournalFs } from '@perpcore/journal';

export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'durability-test-'): string {
    const dir = fs.mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** A copy of a journal directory, as a crash would leave it on disk. */
  copy(from: string): string {
    const to = this.make();
    for (const name of fs.readdirSync(from)) fs.copyFileSync(join(from, name), join(to, name));
    return to;
  }

  /** A copy of a data directory with its subdirectories (journal, snapshots), as a crash would leave it. */
  copyTree(from: string): string {
    const to = this.make();
    fs.cpSync(from, to, { recursive: true });
    return to;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** node:fs whose asynchronous writes fail with ENOSPC once `full(length)` says so (the group-commit path). */
export function fillingDisk(full: (length: number) => boolean): JournalFs {
  return {
    ...nodeJournalFs,
    write: (fd, buffer, offset, length, position, done) => {
      if (full(length)) return void setImmediate(() => done(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }), 0));
      nodeJournalFs.write(fd, buffer, offset, length, position, done);
    },
  };
}
