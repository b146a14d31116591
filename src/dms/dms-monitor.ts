import type { AlertDesk } from '../alerts/alert-desk';
import type { Logger } from '../log';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import { inStore, type StateStore } from '../state/state-store';
import type { CdcLatency, CdcLatencyPort, CdcLatencyTrend } from './cdc-latency';
import { dmsConditions } from './dms-conditions';
import { DmsApiError, type DmsPort, type DmsTableStat, type DmsTask, type StartType } from './dms-port';
import { buildReport, dmsProgressLine, type DmsReport } from './dms-report';
import type { ProgressPoint } from './progress-eta';

export interface DmsMonitorDeps {
  plan: Plan;
  dmsFor: (hop: Hop) => DmsPort;
  cdcLatencyFor?: (hop: Hop) => CdcLatencyPort;
  redis: StateStore;
  progressKey: (hop: string) => string;
  alerts: AlertDesk;
  migration: MigrationState;
  log: Logger;
  apiGraceMs?: number;
}

/** Watches and controls the DMS task of each `dms` hop. Knows nothing of Slack. */
export class DmsMonitor {
  constructor(private readonly deps: DmsMonitorDeps) {}

  private taskOf(hop: Hop): string {
    if (hop.method !== 'dms' || !hop.dms) throw new Error(`hop ${hop.id} is not a dms hop`);
    return hop.dms.task;
  }

  /** Describes the task and its tables, records the progress point, and computes the ETA. */
  async report(hop: Hop, now = Date.now()): Promise<DmsReport & { rows?: DmsTableStat[] }> {
    const dms = this.deps.dmsFor(hop);
    try {
      const task = await dms.describeTask(this.taskOf(hop));
      const rows = await dms.tableStatistics(task.arn);
      if (task.fullLoadPercent !== undefined) await this.recordProgress(hop.id, { at: now, percent: task.fullLoadPercent });
      const progress = await this.progress(hop.id, now - 6 * 3600_000);
      return { ...buildReport(hop.id, now, task, rows, progress, this.deps.plan.dmsProgress.etaMinSpanMs), rows, cdcLatency: await this.cdcLatency(hop, now) };
    } catch (e) {
      if (e instanceof DmsApiError) return { hop: hop.id, at: now, error: { kind: e.kind, code: e.code, message: e.message } };
      throw e;
    }
  }

  /** The task with its settings and every table's statistics: what the fence reads, nothing recorded. */
  async fenceLook(hop: Hop): Promise<{ task: DmsTask; rows: DmsTableStat[] }> {
    const dms = this.deps.dmsFor(hop);
    const task = await dms.describeTask(this.taskOf(hop), { withSettings: true });
    return { task, rows: await dms.tableStatistics(task.arn) };
  }

  /** CloudWatch's newest CDC latency of the hop; undefined when the plan or the wiring has no CloudWatch, a string when it did not answer. */
  cdcLatency(hop: Hop, now = Date.now()): Promise<CdcLatency | string | undefined> {
    return this.fromCloudWatch(hop, (port, cw) => port.latest(cw.replicationInstance, cw.taskResourceId, now));
  }

  /** CloudWatch's CDC latency points of the hop since `since` (the catch-up estimate's series); undefined and string as cdcLatency. */
  cdcLatencyTrend(hop: Hop, since: number, now = Date.now()): Promise<CdcLatencyTrend | string | undefined> {
    return this.fromCloudWatch(hop, (port, cw) => port.trend(cw.replicationInstance, cw.taskResourceId, since, now));
  }

  private async fromCloudWatch<T>(hop: Hop, read: (port: CdcLatencyPort, cw: NonNullable<NonNullable<Hop['dms']>['cloudwatch']>) => Promise<T>): Promise<T | string | undefined> {
    const cw = hop.dms?.cloudwatch;
    if (!cw || !this.deps.cdcLatencyFor) return undefined;
    try {
      return await read(this.deps.cdcLatencyFor(hop), cw);
    } catch (e) {
      return `CloudWatch did not answer: ${(e as Error).message}`;
    }
  }

  /** The scheduled round: report on the current hop if it is a DMS hop, and raise or resolve its alerts. */
  async poll(now = Date.now()): Promise<DmsReport | undefined> {
    const m = await this.deps.migration.read();
    const hop = hopById(this.deps.plan, m.currentHop);
    if (!hop || hop.method !== 'dms') return undefined;
    const status = m.hops[hop.id]?.status;
    const report = await this.report(hop, now);
    const expectRunning = status !== 'done' && status !== 'cutting-over';
    await this.deps.alerts.observe(dmsConditions(report, expectRunning, { staleMs: this.deps.plan.dmsProgress.stallMs, apiGraceMs: this.deps.apiGraceMs ?? 5 * 60_000 }), now);
    return report;
  }

  /** One line of progress for the periodic channel update, when the current hop is a DMS hop. */
  async progressLine(now = Date.now()): Promise<string | undefined> {
    const m = await this.deps.migration.read();
    const hop = hopById(this.deps.plan, m.currentHop);
    if (!hop || hop.method !== 'dms') return undefined;
    return dmsProgressLine(await this.report(hop, now));
  }

  async start(hop: Hop, type: StartType) {
    const dms = this.deps.dmsFor(hop);
    const task = await dms.describeTask(this.taskOf(hop));
    return dms.startTask(task.arn, type);
  }

  async stop(hop: Hop) {
    const dms = this.deps.dmsFor(hop);
    const task = await dms.describeTask(this.taskOf(hop));
    return dms.stopTask(task.arn);
  }

  async reload(hop: Hop, tables: { schema: string; table: string }[]): Promise<void> {
    const dms = this.deps.dmsFor(hop);
    const task = await dms.describeTask(this.taskOf(hop));
    await dms.reloadTables(task.arn, tables);
  }

  private async recordProgress(hop: string, p: ProgressPoint): Promise<void> {
    await inStore(() => this.deps.redis.xadd(this.deps.progressKey(hop), 'MAXLEN', '~', '5000', '*', 'at', String(p.at), 'percent', String(p.percent)));
  }

  private async progress(hop: string, since: number): Promise<ProgressPoint[]> {
    const rows = await inStore(() => this.deps.redis.xrange(this.deps.progressKey(hop), String(Math.floor(since)), '+'));
    return rows.map(([, f]) => ({ at: Number(f[f.indexOf('at') + 1]), percent: Number(f[f.indexOf('percent') + 1]) }));
  }
}
