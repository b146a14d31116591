import type { DmsTableStat } from '../dms/dms-port';
import { DmsMonitor, type DmsMonitorDeps } from '../dms/dms-monitor';
import type { DmsReport } from '../dms/dms-report';
import type { Logger } from '../log';
import type { Hop } from '../plan/plan';
import type { MetricRecords } from './metric-records';

/** A DmsMonitor that also keeps each hop's last figures (full load, errored tables, CDC latency) for /metrics. */
export class RecordedDmsMonitor extends DmsMonitor {
  private readonly log: Pick<Logger, 'debug'>;

  constructor(
    deps: DmsMonitorDeps,
    private readonly records: MetricRecords,
  ) {
    super(deps);
    this.log = deps.log;
  }

  override async report(hop: Hop, now = Date.now()): Promise<DmsReport & { rows?: DmsTableStat[] }> {
    const report = await super.report(hop, now);
    // Not awaited: a slow Redis must not hold the DMS report.
    void this.records.recordDms(hop.id, report).catch((e) => this.log.debug({ err: e, hop: hop.id }, 'could not record the DMS figures for /metrics'));
    return report;
  }
}
