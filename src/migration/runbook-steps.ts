import { runbook } from '../cutover/runbook';
import type { Hop } from '../plan/plan';

export interface RunbookStep {
  id: string;
  title: string;
}

/** The cutover runbook of one hop, in order, as `plan` and `status` show it: the steps a cutover runs. */
export function runbookSteps(hop: Hop): RunbookStep[] {
  return runbook(hop).map(({ id, title }) => ({ id, title }));
}
