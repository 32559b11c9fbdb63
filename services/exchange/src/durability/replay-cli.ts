/**
 * `npm run replay -- DIR [--until-seq N] [--account ID] [--hash-every N] [--hash-at S,S…]`:
 * replays an embedded journal (journal-replay.ts) with a progress line on stderr,
 * prints the state hash at the end (and at the given seqs: snapshot points), and
 * with `--account` the account's trail (account-trail.ts). Nothing is written.
 */
import { snapshotPoints } from './snapshot-points.js';
import { createLogger } from '@perpcore/observability';
import { ProgressLine } from '../progress-line.js';
import { AccountTrail, formatTrailEntry } from './account-trail.js';
import { replayJournal } from './journal-replay.js';

export interface ReplayCliOptions {
  dir: string;
  untilSeq: number | undefined;
  accountId: number | undefined;
  hashEvery: number | undefined;
  hashAt: ReadonlySet<number>;
}

const USAGE = 'usage: npm run replay -- DIR [--until-seq N] [--account ID] [--hash-every N] [--hash-at S,S,...]';

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isSafeInteger(value) || value < 1) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

export function parseReplayOptions(argv: readonly string[]): ReplayCliOptions {
  let dir: string | undefined;
  const options: Omit<ReplayCliOptions, 'dir'> = { untilSeq: undefined, accountId: undefined, hashEvery: undefined, hashAt: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      if (dir !== undefined) throw new Error(`one journal directory, got ${JSON.stringify(dir)} and ${JSON.stringify(arg)}\n${USAGE}`);
      dir = arg;
      continue;
    }
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === 'until-seq') options.untilSeq = positiveInteger(flag, value());
    else if (flag === 'account') options.accountId = positiveInteger(flag, value());
    else if (flag === 'hash-every') options.hashEvery = positiveInteger(flag, value());
    else if (flag === 'hash-at') options.hashAt = new Set((value() ?? '').split(',').map((s) => positiveInteger(flag, s)));
    else throw new Error(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if (dir === undefined) throw new Error(USAGE);
  return { dir, ...options };
}

export async function runReplayCli(argv: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let options: ReplayCliOptions;
  try {
    options = parseReplayOptions(argv);
  } catch (error) {
    process.stderr.write(`replay: ${(error as Error).message}\n`);
    return 2;
  }
  const trail = options.accountId === undefined ? undefined : new AccountTrail(options.accountId);
  const progress = new ProgressLine(process.stderr, 2_000);
  const startedMs = performance.now();
  const snapshots = snapshotPoints(options.dir);
  for (const problem of snapshots.corrupt) process.stderr.write(`replay: snapshot left out: ${problem}\n`);
  let snapshotMismatches = 0;
  const result = await replayJournal(options.dir, {
    logger: createLogger('replay', 'warn'),
    ...(options.untilSeq === undefined ? {} : { untilSeq: options.untilSeq }),
    ...(trail === undefined ? {} : { beforeApply: (seq, input) => trail.onInput(seq, input), onPipeline: (pipeline, currentSeq) => trail.attach(pipeline, currentSeq) }),
    wantHashAt: (seq) => options.hashAt.has(seq) || snapshots.hashes.has(seq) || (options.hashEvery !== undefined && seq % options.hashEvery === 0),
    onHash: (seq, hash) => {
      const recorded = snapshots.hashes.get(seq);
      if (recorded !== undefined && recorded !== hash) snapshotMismatches++;
      const note = recorded === undefined ? '' : recorded === hash ? ' (snapshot point: equals the snapshot’s)' : ` (snapshot point: MISMATCH, the snapshot recorded ${recorded})`;
      out.write(`state hash at seq ${seq}: ${hash}${note}\n`);
    },
    onProgress: (seq) => {
      const s = (performance.now() - startedMs) / 1000;
      progress.update(`replay ${options.dir}: seq ${seq.toLocaleString('en-US')}  ${Math.round(seq / s).toLocaleString('en-US')} inputs/s`, performance.now());
    },
  });
  progress.done();
  if (trail !== undefined) {
    out.write(`trail of account ${trail.accountId}: ${trail.entries.length} entries\n`);
    for (const entry of trail.entries) out.write(`${formatTrailEntry(entry)}\n`);
  }
  const seconds = result.elapsedMs / 1000;
  const audit = result.pipeline.risk.engine.audit();
  out.write(`replayed ${result.seq.toLocaleString('en-US')} inputs in ${seconds.toFixed(2)} s (${Math.round(result.seq / Math.max(seconds, 1e-9)).toLocaleString('en-US')}/s); money conserved: ${audit.ok ? 'yes' : `NO (${audit.problems.join('; ')})`}\n`);
  out.write(`state hash at seq ${result.seq}: ${result.stateHash}\n`);
  await result.pipeline.close();
  if (snapshots.hashes.size > 0) out.write(`snapshot points checked: ${snapshots.hashes.size}, mismatches ${snapshotMismatches}\n`);
  return snapshotMismatches === 0 ? 0 : 1;
}
