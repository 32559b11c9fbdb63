/**
 * The stress query's answer as the client hands it out (embedded and cluster
 * alike): the risk stage's `StressReport`, or the `RISK_STRESS_*` code and message
 * of a request it refused (nothing computed). Any other error is not a refusal and
 * propagates.
 */
import { type StressReport, StressRequestError } from '@perpcore/risk';

export type StressAnswer = { readonly ok: true; readonly report: StressReport } | { readonly ok: false; readonly code: string; readonly message: string };

export function stressAnswer(run: () => StressReport): StressAnswer {
  try {
    return { ok: true, report: run() };
  } catch (error) {
    if (error instanceof StressRequestError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
