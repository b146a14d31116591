import type { CheckResult } from '../checks/check-result';
import type { Gate } from '../gates/gate-runner';
import type { Hop } from '../plan/plan';
import type { RdsHealthPort } from './rds-health';
import { rdsChecks } from './rds-checks';

/**
 * The managed target's own health as a gate of `hop`, when the plan names its target on RDS/Aurora
 * (`databases.<id>.rds`); none otherwise. `timeoutMs` is the reader's own bound, so its words win
 * over the runner's "no answer".
 */
export function rdsGates(hop: Hop, portFor: (region: string) => RdsHealthPort, timeoutMs: number): Gate[] {
  const rds = hop.target.rds;
  if (!rds) return [];
  return [
    {
      id: `rds:${hop.target.id}`,
      label: 'Managed target (RDS)',
      source: `RDS ${rds.cluster ? 'cluster' : 'instance'} ${rds.cluster ?? rds.instance}`,
      timeoutMs: timeoutMs + 1000,
      async run(): Promise<CheckResult[]> {
        return rdsChecks(hop.target.id, await portFor(rds.region).read(rds), hop.thresholds.maxLagSeconds);
      },
    },
  ];
}
