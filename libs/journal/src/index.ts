export { crc32 } from './crc32.js';
export { FSYNC_POLICIES, type FsyncPolicy, parseFsyncPolicy } from './fsync-policy.js';
export { Journal, type JournalOptions, type JournalRecovery, JournalWriteError } from './journal.js';
export { type JournalFs, nodeJournalFs } from './journal-fs.js';
export { MAX_PAYLOAD_BYTES } from './record-frame.js';
export { JOURNAL_FORMAT_VERSION, type JournalHeader, type SegmentHeader } from './segment-header.js';
export { JournalOpenError, listSegments, readJournalHeader, readRecords, syncDirectory } from './segment-files.js';
