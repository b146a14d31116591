import type { CdcLatency } from './cdc-latency';
import type { DmsApiError, DmsTableStat, DmsTask } from './dms-port';
import { fullLoadEta, type ProgressPoint } from './progress-eta';
import { summariseTables, type TableSummary } from './table-summary';
import { duration } from '../views/slack-text';

/** Everything known about a DMS hop at one moment: the task, its tables, the progress rate. */
export interface DmsReport {
  hop: string;
  at: number;
  task?: DmsTask;
  tables?: TableSummary;
  eta?: { etaMs: number; ratePerHour: number };
  /** Progress has not moved for this long during the full load (ms). */
  stalledForMs?: number;
  error?: { kind: DmsApiError['kind']; code: string; message: string };
  /** CloudWatch CDC latency, when the plan configures it; a string when CloudWatch did not answer. */
  cdcLatency?: CdcLatency | string;
}

/** Whether the task is loading or replicating changes, for people. */
export function cdcState(task: DmsTask): string {
  if (!task.migrationType.includes('cdc')) return 'no CDC (full load only)';
  if (task.status !== 'running') return `not replicating (task ${task.status})`;
  if ((task.fullLoadPercent ?? 0) < 100 && !task.fullLoadFinishedAt) return 'full load in progress; changes are cached until it finishes';
  return 'replicating ongoing changes';
}

export function buildReport(hop: string, at: number, task: DmsTask, rows: DmsTableStat[], progress: ProgressPoint[], etaMinSpanMs?: number): DmsReport {
  return { hop, at, task, tables: summariseTables(rows), eta: fullLoadEta(progress, at, undefined, etaMinSpanMs), stalledForMs: stalledFor(progress, task, at) };
}

function stalledFor(progress: ProgressPoint[], task: DmsTask, now: number): number | undefined {
  if (task.status !== 'running' || (task.fullLoadPercent ?? 0) >= 100) return undefined;
  const last = progress[progress.length - 1];
  if (!last) return undefined;
  let since = last.at;
  for (let i = progress.length - 1; i >= 0 && progress[i].percent === last.percent; i--) since = progress[i].at;
  return now - since;
}

/** "DMS task x: running · 70% loaded · ETA 1 h 0 min · 0 errored tables", for the periodic update. */
export function dmsProgressLine(r: DmsReport): string {
  if (!r.task) return `:red_circle: DMS: ${r.error?.code ?? 'no answer'}: ${r.error?.message ?? ''}`;
  const t = r.task;
  const eta = (t.fullLoadPercent ?? 0) >= 100 ? 'full load done' : r.eta ? `ETA ${duration(r.eta.etaMs)}` : 'ETA not known yet';
  return `:truck: DMS *${t.id}*: ${t.status} · ${t.fullLoadPercent ?? 0}% loaded · ${eta} · ${r.tables?.errored.length ?? t.tablesErrored ?? 0} errored tables · CDC: ${cdcState(t)}`;
}
