/**
 * `npm run load`: parses the options, loads the scenario, runs it, prints the
 * table and writes `load-report.json` and `load-report.html` into --out.
 * Exit code: 0 done (refusals and errors are figures, not failures), 2 bad
 * options or scenario, 1 the run could not be carried out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN_ENV } from '@perpcore/gateway';
import { formatLoadHtml } from './load-html.js';
import { LOAD_USAGE, parseLoadOptions } from './load-options.js';
import { type LoadReport, runLoad } from './load-run.js';
import { loadScenario } from './load-scenario.js';
import { formatLoadTable } from './load-table.js';

/** The repository root, from benchmarks/dist/load/. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface WrittenReport {
  readonly report: LoadReport;
  readonly jsonPath: string;
  readonly htmlPath: string;
}

/** `write` takes the help text and the closing table (stdout; tests pass their own). */
export async function runLoadCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<WrittenReport | null> {
  const options = parseLoadOptions(argv);
  if (options.help) {
    write(`${LOAD_USAGE}\n`);
    return null;
  }
  const scenario = loadScenario(options.scenario, join(repositoryRoot, 'benchmarks', 'load', 'scenarios'));
  const report = await runLoad({ options, scenario, root: repositoryRoot, adminToken: env[ADMIN_TOKEN_ENV] });
  const out = resolve(process.cwd(), options.out);
  mkdirSync(out, { recursive: true });
  const jsonPath = join(out, 'load-report.json');
  const htmlPath = join(out, 'load-report.html');
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(htmlPath, formatLoadHtml(report));
  write(formatLoadTable(report));
  write(`report: ${jsonPath}\n        ${htmlPath}\n`);
  return { report, jsonPath, htmlPath };
}
