import type { CheckStatus } from '../checks/check-result';
import { worstStatus } from '../checks/check-result';
import type { DmsReport } from '../dms/dms-report';
import type { GoNoGo } from '../gates/gate-runner';
import type { Keys } from '../state/keys';
import type { StateStore } from '../state/state-store';

/** A hop's last go/no-go, as /metrics shows it: each check's status, whether it was GO, when. */
export interface GateRecord {
  at: number;
  go: boolean;
  gates: Record<string, CheckStatus>;
}

/** A hop's last DMS report, reduced to the figures /metrics shows. Absent figures were not known. */
export interface DmsFigures {
  at: number;
  fullLoadPercent?: number;
  tablesErrored?: number;
  cdcSourceSeconds?: number;
  cdcTargetSeconds?: number;
  /** The DMS API did not answer or refused: the figures are unknown. */
  apiError?: string;
}

/** The go/no-go of a hop in its record's shape: one status per check id (the worst, if an id repeats). */
export function gateRecord(report: GoNoGo): GateRecord {
  const gates: Record<string, CheckStatus> = {};
  for (const r of report.results) gates[r.id] = gates[r.id] ? worstStatus([gates[r.id], r.status]) : r.status;
  return { at: report.at, go: report.go, gates };
}

/** The figures of a DMS report; CDC latency only when CloudWatch answered with a point. */
export function dmsFigures(report: DmsReport): DmsFigures {
  const cdc = typeof report.cdcLatency === 'object' ? report.cdcLatency : undefined;
  return {
    at: report.at,
    fullLoadPercent: report.task?.fullLoadPercent,
    tablesErrored: report.tables ? report.tables.errored.length : report.task?.tablesErrored,
    cdcSourceSeconds: cdc?.sourceSeconds,
    cdcTargetSeconds: cdc?.targetSeconds,
    apiError: report.error ? `${report.error.code}: ${report.error.message}`.slice(0, 200) : undefined,
  };
}

/**
 * The last gate report and DMS figures of each hop, in Redis: whichever process evaluated them,
 * every process's /metrics serves the same values. Written as they are produced, read on scrape.
 */
export class MetricRecords {
  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'gateReport' | 'dmsFigures'>,
  ) {}

  async recordGates(hop: string, report: GoNoGo): Promise<void> {
    await this.redis.set(this.keys.gateReport(hop), JSON.stringify(gateRecord(report)));
  }

  async recordDms(hop: string, report: DmsReport): Promise<void> {
    await this.redis.set(this.keys.dmsFigures(hop), JSON.stringify(dmsFigures(report)));
  }

  async gates(hop: string): Promise<GateRecord | null> {
    const raw = await this.redis.get(this.keys.gateReport(hop));
    return raw ? (JSON.parse(raw) as GateRecord) : null;
  }

  async dms(hop: string): Promise<DmsFigures | null> {
    const raw = await this.redis.get(this.keys.dmsFigures(hop));
    return raw ? (JSON.parse(raw) as DmsFigures) : null;
  }
}
