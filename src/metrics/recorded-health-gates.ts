import type { GoNoGo } from '../gates/gate-runner';
import { HealthGates, type HealthGatesDeps } from '../gates/health-gates';
import type { Logger } from '../log';
import type { Hop } from '../plan/plan';
import type { MetricRecords } from './metric-records';

/** HealthGates that also keep each hop's last go/no-go for /metrics; a record that fails never changes the answer. */
export class RecordedHealthGates extends HealthGates {
  constructor(
    deps: HealthGatesDeps,
    private readonly records: MetricRecords,
    private readonly log: Pick<Logger, 'debug'>,
  ) {
    super(deps);
  }

  override async goNoGo(hop: Hop, fresh = false): Promise<GoNoGo> {
    const report = await super.goNoGo(hop, fresh);
    // Not awaited: a slow Redis must not hold a cutover's gate check.
    void this.records.recordGates(hop.id, report).catch((e) => this.log.debug({ err: e, hop: hop.id }, 'could not record the gate report for /metrics'));
    return report;
  }
}
