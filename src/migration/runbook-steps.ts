import type { HopMethod } from '../plan/plan';

export interface RunbookStep {
  id: string;
  title: string;
}

/** What "detach the target" means for each replication method. */
const DETACH: Record<HopMethod, string> = {
  physical: 'Promote the standby and confirm it left recovery',
  logical: 'Disable the subscription',
  dms: 'Stop the DMS task once the fence is seen',
};

/** The cutover runbook of one hop, in order: the steps a cutover runs and `plan` shows. */
export function runbookSteps(method: HopMethod): RunbookStep[] {
  return [
    { id: 'announce', title: 'Announce; Rollbar deploy marker "started"' },
    { id: 'stop-writes', title: 'Stop the app: maintenance mode on, processes scaled to 0' },
    { id: 'fence', title: 'Fence: final heartbeat on the source, wait until the target shows it' },
    { id: 'detach', title: DETACH[method] },
    { id: 'sequences', title: method === 'physical' ? 'Check sequences on the target' : 'Check and fix sequences on the target' },
    { id: 'repoint', title: 'Point the app at the target' },
    { id: 'app-back', title: 'App back: maintenance off, formation restored' },
    { id: 'verify', title: 'Test write, replication and archiving, error-rate watch' },
    { id: 'done', title: 'Hop complete; deploy marker "succeeded"' },
  ];
}
