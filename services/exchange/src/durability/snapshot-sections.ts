/**
 * Extra named sections of the embedded exchange's snapshot: state that is not the
 * core's but is folded from the core's events by a reader in the same process (the
 * gateway's read models and market data), which must be restored at the same
 * journal seq as the core or it would miss, or fold twice, the events in between.
 *
 * The exchange knows no reader: the entry point (services/gateway main.ts) declares
 * the section names up front (`EmbeddedCoreOptions.snapshotSections`, so a start can
 * choose a snapshot holding them before anything is built) and its `beforeReplay`
 * supplies the sections once the reader exists.
 *
 * Why in the same file as the core's state, not a second file beside it: the
 * snapshot store writes one file atomically (temp, fsync, rename, directory fsync),
 * so the core and its readers are captured at one seq and appear on disk together
 * or not at all; a second file would need its own seq check, its own pruning and a
 * rule for a crash between the two writes.
 *
 * Canonical: sections are encoded sorted by name, each the reader's own capture
 * (the same state gives the same bytes). Checked: a restored section must capture
 * back to exactly the bytes the snapshot holds, or the start refuses.
 */
export interface SnapshotSection {
  /** Its name in the snapshot, unique in a run (e.g. "gateway"). */
  readonly name: string;
  /** The reader's state now, as a value the snapshot encoding takes (e.g. a `captureGraph` frame). Called between inputs, with the core's capture. */
  capture(): unknown;
  /** Loads a captured state into the freshly built reader, before the journal tail is replayed; throws, changing nothing it can avoid, if it does not fit. */
  restore(state: unknown): void;
}

/** The sections as the snapshot stores them: [name, state] sorted by name. */
export function captureSections(sections: readonly SnapshotSection[]): [string, unknown][] {
  return [...sections].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((s) => [s.name, s.capture()]);
}

/** The sections a decoded snapshot holds, by name (none for one taken before sections existed). */
export function sectionStates(decoded: { sections?: unknown }): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(decoded.sections)) return out;
  for (const entry of decoded.sections) {
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string') out.set(entry[0], entry[1]);
  }
  return out;
}

/** Refuses a run's sections that do not match what its entry point declared (a composition fault, found before any input). */
export function checkDeclaredSections(declared: readonly string[], supplied: readonly SnapshotSection[]): void {
  const names = supplied.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new Error(`snapshot sections supplied twice: ${names.join(', ')}`);
  const want = [...declared].sort().join(', ');
  const got = [...names].sort().join(', ');
  if (want !== got) throw new Error(`snapshot sections declared [${want}] but beforeReplay supplied [${got}]`);
}
