/**
 * The embedded crash test: runs `npm start`'s entry with `--data-dir`, SIGKILLs it
 * at seeded random moments, restarts it, and checks
 * - every restart's recovered state hash equals the uninterrupted run's hash at
 *   the same journal position (reference-run.ts; the process prints both seq and
 *   hash when it has recovered);
 * - after the last kill, a final run ends cleanly and its state equals the
 *   uninterrupted run's at its final position;
 * - replaying the journal, every fill matching produced was settled exactly once
 *   per side (fill-accounting.ts), and as many fills exist as in the
 *   uninterrupted run at that position: none lost, none applied twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { type FsyncPolicy, listSegments, readJournalHeader } from '@perpcore/journal';
import type { Logger } from '@perpcore/observability';
import { FillAccounting } from './fill-accounting.js';
import { metaFromHeader } from './journal-header.js';
import { replayJournal } from './journal-replay.js';
import { referencePoints } from './reference-run.js';
import { seededRandom } from './seeded-random.js';

export interface CrashTestOptions {
  /** The exchange's entry (`npm start`: services/gateway/dist/main.js). */
  mainScript: string;
  dataDir: string;
  kills: number;
  seed: number;
  /** Seeds the kill moments. */
  killSeed: number;
  ratePerS: number;
  /** Each life lasts this long after its recovery, ms (uniform between the two). */
  minLifeMs: number;
  maxLifeMs: number;
  fsync: FsyncPolicy;
  /**
   * After half the kills, cut 1..tearMaxBytes bytes off the newest segment, as a power
   * loss can leave a write half on disk (0 = never): recovery must cut the torn record
   * and continue, still in lockstep with the uninterrupted run. Not with
   * `snapshotEvery`: a tear can cut records a snapshot already includes (losing
   * durable data, beyond what a policy promises), and recovery refuses a snapshot
   * ahead of the journal rather than fall back past it.
   */
  tearMaxBytes?: number;
  /** Passed as `--snapshot-every N`: restarts restore the newest snapshot and replay the tail after it (0 = journal only). */
  snapshotEvery?: number;
  logger: Logger;
  /** Progress, one line per life. */
  onLine?: (line: string) => void;
}

export interface CrashTestResult {
  kills: number;
  /** Restarts after a kill whose recovered state was checked. */
  recovered: number;
  mismatches: string[];
  fillProblems: string[];
  /** Restarts that found (and cut) a torn journal tail. */
  tornTailsCut: number;
  /** Restarts that restored a snapshot and replayed only the journal after it. */
  snapshotRestores: number;
  finalSeq: number;
  fills: number;
}

interface Observation {
  life: number;
  seq: number;
  stateHash: string;
}

const RECOVERED = /recovered seq (\d+) state (\S+) \((\d+) inputs replayed in (\d+) ms(, torn tail cut)?[^;]*; from (genesis|snapshot at seq \d+)\)/;

function startExchange(options: CrashTestOptions, durationS: number): { child: ChildProcess; recovered: Promise<RegExpExecArray>; exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const args = [options.mainScript, '--data-dir', options.dataDir, '--seed', String(options.seed), '--duration-s', String(durationS), '--rate-per-s', String(options.ratePerS), '--fsync', options.fsync, '--log-level', 'error'];
  args.push('--snapshot-every', String(options.snapshotEvery ?? 0));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => void child.kill('SIGKILL'); // never leave a child running if the harness itself dies
  process.once('exit', killOnExit);
  let stdout = '';
  let stderr = '';
  let resolveRecovered: (m: RegExpExecArray) => void = () => undefined;
  let rejectRecovered: (e: Error) => void = () => undefined;
  const recovered = new Promise<RegExpExecArray>((resolve, reject) => {
    resolveRecovered = resolve;
    rejectRecovered = reject;
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = RECOVERED.exec(stderr);
    if (match !== null) resolveRecovered(match);
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      process.removeListener('exit', killOnExit);
      rejectRecovered(new Error(`the exchange exited (code ${code}) before it recovered:\n${stderr.slice(-2_000)}`));
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, recovered, exited };
}

/** Cuts `bytes` off the newest segment's end (never into its header); returns how many were cut. */
function tearNewestSegment(dir: string, bytes: number): number {
  const newest = listSegments(dir).at(-1);
  if (newest === undefined) return 0;
  const path = join(dir, newest.name);
  const size = fs.statSync(path).size;
  const keep = Math.max(1_024, size - bytes);
  if (keep >= size) return 0;
  fs.truncateSync(path, keep);
  return size - keep;
}

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestResult> {
  const next = seededRandom(options.killSeed);
  const observations: Observation[] = [];
  let kills = 0;
  let tornTailsCut = 0;
  let snapshotRestores = 0;
  const observe = (life: number, match: RegExpExecArray): void => {
    observations.push({ life, seq: Number(match[1]), stateHash: match[2] as string });
    if (match[5] !== undefined) tornTailsCut++;
    if (life > 0 && match[6] !== 'genesis') snapshotRestores++;
  };
  for (let life = 0; life < options.kills; life++) {
    const run = startExchange(options, 3_600);
    observe(life, await run.recovered);
    const lifeMs = options.minLifeMs + next() * (options.maxLifeMs - options.minLifeMs);
    await new Promise((resolve) => setTimeout(resolve, lifeMs));
    run.child.kill('SIGKILL');
    await run.exited;
    kills++;
    const torn = (options.tearMaxBytes ?? 0) > 0 && (options.snapshotEvery ?? 0) === 0 && next() < 0.5 ? tearNewestSegment(options.dataDir, 1 + Math.floor(next() * (options.tearMaxBytes as number))) : 0;
    const o = observations[observations.length - 1] as Observation;
    options.onLine?.(`life ${life + 1}: recovered seq ${o.seq}, killed after ${Math.round(lifeMs)} ms${torn > 0 ? `, ${torn} bytes torn off the journal` : ''}`);
  }
  // the last restart runs to its end, so its final state is checked too
  const last = startExchange(options, 1);
  observe(options.kills, await last.recovered);
  const end = await last.exited;
  if (end.code !== 0) throw new Error(`the final run exited with code ${end.code}:\n${end.stderr.slice(-2_000)}`);
  const finalSeq = Number(/journal durable up to seq (\d+)/.exec(end.stderr)?.[1] ?? NaN);
  const finalHash = /state hash\s+(\S+)/.exec(end.stdout)?.[1] ?? '';
  observations.push({ life: options.kills + 1, seq: finalSeq, stateHash: finalHash });

  const header = readJournalHeader(options.dataDir);
  if (header === null) throw new Error(`${options.dataDir}: the exchange wrote no journal`);
  const meta = metaFromHeader(header, options.dataDir);
  if (meta.seed !== options.seed) throw new Error(`the journal in ${options.dataDir} was written with seed ${meta.seed}, the harness asked for ${options.seed}`);
  const reference = await referencePoints({ logger: options.logger, meta }, observations.map((o) => o.seq));
  const mismatches = observations
    .filter((o) => reference.get(o.seq)?.stateHash !== o.stateHash)
    .map((o) => `life ${o.life}: at seq ${o.seq} the recovered state is ${o.stateHash}, the uninterrupted run's ${reference.get(o.seq)?.stateHash ?? '(none)'}`);

  const accounting = new FillAccounting();
  const replayed = await replayJournal(options.dataDir, { logger: options.logger, onPipeline: (pipeline) => accounting.attach(pipeline) });
  await replayed.pipeline.close();
  const fillProblems = accounting.problems();
  if (replayed.seq !== finalSeq) fillProblems.push(`the journal ends at seq ${replayed.seq}, the final run reported ${finalSeq} durable`);
  const expectedFills = reference.get(finalSeq)?.fills;
  if (accounting.fills !== expectedFills) fillProblems.push(`${accounting.fills} fills in the journal's replay, ${expectedFills} in the uninterrupted run at seq ${finalSeq}`);
  return { kills, recovered: observations.filter((o) => o.life >= 1 && o.life <= options.kills).length, mismatches, fillProblems, tornTailsCut, snapshotRestores, finalSeq, fills: accounting.fills };
}
