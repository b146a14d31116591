import type { Hop } from '../plan/plan';
import { announceStep } from './steps/announce';
import { appBackStep } from './steps/app-back';
import { appRoleStep } from './steps/app-role';
import { detachStep } from './steps/detach';
import { doneStep } from './steps/done';
import { fenceStep } from './steps/fence';
import { postCutoverChecksStep } from './steps/post-cutover-checks';
import { repointStep } from './steps/repoint';
import { sequencesStep } from './steps/sequences';
import type { PreviewDeps, Step } from './steps/step';
import { stopWritesStep } from './steps/stop-writes';
import { writersStep } from './steps/writers';

export { FenceTimeout, type PreviewDeps, type RunbookDeps, type Step } from './steps/step';

/** The runbook of a hop, in order: each step in its own file under steps/. */
export function runbook(hop: Hop): Step[] {
  return [
    announceStep(hop),
    stopWritesStep(hop),
    writersStep(hop),
    fenceStep(hop),
    detachStep(hop),
    sequencesStep(hop),
    appRoleStep(hop),
    repointStep(hop),
    appBackStep(),
    postCutoverChecksStep(hop),
    doneStep(),
  ];
}

/** What each step that can look ahead would meet today, by step id: read-only, for --dry-run. */
export async function stepPreviews(hop: Hop, deps: PreviewDeps): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  // One after another: the app-role preview connects as the app, which the writers preview must not count.
  for (const step of runbook(hop)) {
    if (step.preview) out[step.id] = await step.preview(deps).catch((e: Error) => [`could not look: ${e.message}`]);
  }
  return out;
}
