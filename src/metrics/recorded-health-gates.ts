import type { GoNoGo } from '../gates/gate-runner';
import { HealthGates, type HealthGatesDeps } from '../gates/health-gates';
import type { Logger } from '../log';
import type { Hop } from '../plan/plan';
import type { CheckResult } from '../checks/check-result';
import { errorRateSample, type ErrorRateStore } from '../state/error-rate-store';
import type { MetricRecords } from './metric-records';

/** HealthGates that also keep each hop's last go/no-go for /metrics; a record that fails never changes the answer. */
export class RecordedHealthGates extends HealthGates {
  constructor(
    deps: HealthGatesDeps,
    private readonly records: MetricRecords,
    private readonly log: Pick<Logger, 'debug'>,
    /** Where each error-rate reading is kept for the migration report's chart. */
    private readonly errorRates?: ErrorRateStore,
  ) {
    super(deps);
  }

  /** The periodic health watch; its error-rate reading is kept too. */
  override async watch(now = Date.now()): Promise<CheckResult[]> {
    const results = await super.watch(now);
    this.keepErrorRate(results);
    return results;
  }

  private keepErrorRate(results: CheckResult[]): void {
    const sample = this.errorRates && errorRateSample(results);
    // Not awaited, like the gate record: a slow Redis must not hold a gate check.
    if (sample) void this.errorRates!.add(sample).catch((e) => this.log.debug({ err: e }, 'could not keep the error-rate reading for the report'));
  }

  override async goNoGo(hop: Hop, fresh = false): Promise<GoNoGo> {
    const report = await super.goNoGo(hop, fresh);
    this.keepErrorRate(report.results);
    // Not awaited: a slow Redis must not hold a cutover's gate check.
    void this.records.recordGates(hop.id, report).catch((e) => this.log.debug({ err: e, hop: hop.id }, 'could not record the gate report for /metrics'));
    return report;
  }
}
