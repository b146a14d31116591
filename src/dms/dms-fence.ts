import { formatSeconds } from '../checks/units';
import type { CdcLatency } from './cdc-latency';
import type { DmsTableStat, DmsTask } from './dms-port';
import { summariseTables, tableName } from './table-summary';
import { batchApplyText, parseTaskSettings, type DmsTaskSettings } from './task-settings';

/** The reads the DMS part of the fence makes. */
export interface DmsFencePort {
  look(): Promise<{ task: DmsTask; rows: DmsTableStat[] }>;
  /** Undefined when the hop has no CloudWatch; a string when CloudWatch did not answer. */
  cdcLatency(): Promise<CdcLatency | string | undefined>;
}

export interface DmsFenceRules {
  /** Epoch ms: no wait goes past it. */
  deadline: number;
  /** Whether the hop names its CloudWatch dimensions: then CDCLatencyTarget must be within `maxCdcLatencySeconds`. */
  cloudwatch: boolean;
  maxCdcLatencySeconds: number;
  /** Time between the two reads of the table statistics. */
  settleMs: number;
  sleep(ms: number): Promise<unknown>;
}

/** Settled (with the line for the timeline), or not: `hopeless` when waiting longer cannot help. */
export type DmsFenceOutcome =
  | { settled: true; result: string; batchApply: DmsTaskSettings | string }
  | { settled: false; why: string; hopeless: boolean; batchApply: DmsTaskSettings | string };

type Counters = Map<string, { inserts: number; updates: number; deletes: number; fullLoadRows: number }>;

/** A CloudWatch point older than this is not the latency now (the query returns the newest of 15 minutes). */
export const MAX_CDC_POINT_AGE_MS = 5 * 60_000;

/** The time between two reads: a few seconds, and longer than batch apply holds a batch at least. */
export function settleMsFor(settings: DmsTaskSettings | string, baseMs: number): number {
  if (typeof settings === 'string' || !settings.batchApply || settings.batchApplyTimeoutMinSeconds === undefined) return baseMs;
  return Math.max(baseMs, (settings.batchApplyTimeoutMinSeconds + 1) * 1000);
}

/**
 * After the heartbeat reached the target: waits until the task runs with no table in error, every
 * table's insert/update/delete counters stay unchanged across two reads `settleMs` apart and, with
 * CloudWatch, CDCLatencyTarget is within the threshold — all in the same round, before the deadline.
 * With batch apply the heartbeat proves nothing about the other tables; these reads are what prove it.
 */
export async function waitForDmsToSettle(port: DmsFencePort, rules: DmsFenceRules): Promise<DmsFenceOutcome> {
  try {
    return await settle(bounded(port, rules.deadline), rules);
  } catch (e) {
    if (!(e instanceof NoAnswer)) throw e;
    // A failed call is worth a Resume, not a longer wait; a late one ran out of the fence's time.
    return { settled: false, why: e.message, hopeless: !e.late, batchApply: 'the task settings were not read' };
  }
}

async function settle(port: DmsFencePort, rules: DmsFenceRules): Promise<DmsFenceOutcome> {
  let look = await port.look();
  const batchApply = parseTaskSettings(look.task.settings);
  const settleMs = settleMsFor(batchApply, rules.settleMs);
  const apart = formatSeconds(settleMs / 1000);
  let reasons: string[] = [];
  for (;;) {
    const broken = lookProblem(look);
    if (broken) return { settled: false, why: broken, hopeless: true, batchApply };
    if (rules.deadline - Date.now() < settleMs) {
      return { settled: false, why: reasons.length ? reasons.join('; ') : `no time left for two reads of the table statistics ${apart} apart`, hopeless: false, batchApply };
    }
    const previous = counters(look.rows);
    await rules.sleep(settleMs);
    look = await port.look();
    const problem = lookProblem(look);
    if (problem) return { settled: false, why: problem, hopeless: true, batchApply };
    const current = counters(look.rows);
    const moved = movedTables(previous, current);
    const latency = rules.cloudwatch ? latencyVerdict(await port.cdcLatency(), rules.maxCdcLatencySeconds, Date.now()) : undefined;
    reasons = [];
    if (moved.length) reasons.push(`DMS table statistics still moving: ${moved.slice(0, 5).join(', ')}${moved.length > 5 ? ` and ${moved.length - 5} more tables` : ''} changed in ${apart}`);
    if (latency && !latency.ok) reasons.push(latency.text);
    if (!reasons.length) {
      const parts = [`DMS table statistics unchanged over ${apart} (${current.size} tables)`, latency ? latency.text : 'CDC latency not checked (no CloudWatch in the plan)', batchApplyText(batchApply)];
      return { settled: true, result: parts.join('; '), batchApply };
    }
  }
}

/** What no wait can fix: a task that does not run, tables in error. */
function lookProblem(look: { task: DmsTask; rows: DmsTableStat[] }): string | undefined {
  const t = look.task;
  // A stopped task leaves its counters still whether or not changes are pending.
  if (t.status !== 'running') return `the DMS task ${t.id} is ${t.status}${t.lastFailureMessage ? ` (${t.lastFailureMessage})` : ''}: its table statistics prove nothing until it runs`;
  const errored = summariseTables(look.rows).errored.map(tableName);
  if (errored.length) return `DMS tables in error: ${errored.slice(0, 10).join(', ')}${errored.length > 10 ? ` and ${errored.length - 10} more` : ''}; their changes are not being applied`;
  // A table in full load (reloaded, or added to the task) is not whole on the target, and its CDC counters stand still meanwhile.
  const loading = summariseTables(look.rows).loading.map((r) => `${tableName(r)} (${r.state})`);
  if (loading.length) return `DMS tables not fully loaded on the target: ${loading.slice(0, 10).join(', ')}${loading.length > 10 ? ` and ${loading.length - 10} more` : ''}; Resume once their load completed`;
  return undefined;
}

function counters(rows: DmsTableStat[]): Counters {
  return new Map(rows.map((r) => [tableName(r), { inserts: r.inserts, updates: r.updates, deletes: r.deletes, fullLoadRows: r.fullLoadRows }]));
}

function movedTables(before: Counters, after: Counters): string[] {
  const out: string[] = [];
  for (const [table, now] of after) {
    const was = before.get(table);
    if (!was) out.push(`${table} (new)`);
    else if (was.inserts !== now.inserts || was.updates !== now.updates || was.deletes !== now.deletes || was.fullLoadRows !== now.fullLoadRows) {
      const d = (n: number) => (n > 0 ? `+${n}` : String(n));
      const loaded = was.fullLoadRows !== now.fullLoadRows ? `, ${d(now.fullLoadRows - was.fullLoadRows)} full-load rows` : '';
      out.push(`${table} (${d(now.inserts - was.inserts)} inserts, ${d(now.updates - was.updates)} updates, ${d(now.deletes - was.deletes)} deletes${loaded})`);
    }
  }
  for (const table of before.keys()) if (!after.has(table)) out.push(`${table} (gone)`);
  return out;
}

function latencyVerdict(latency: CdcLatency | string | undefined, max: number, now: number): { ok: boolean; text: string } {
  if (latency === undefined) return { ok: false, text: 'CDC latency unknown: the bot has no CloudWatch client for this hop' };
  if (typeof latency === 'string') return { ok: false, text: `CDC latency unknown: ${latency}` };
  if (latency.targetSeconds === undefined) return { ok: false, text: 'CDC latency unknown: CloudWatch has no CDCLatencyTarget point in the last 15 minutes' };
  if (latency.at === undefined) return { ok: false, text: 'CDC latency unknown: the newest CDCLatencyTarget point has no time' };
  if (now - latency.at > MAX_CDC_POINT_AGE_MS) return { ok: false, text: `CDC latency unknown: the newest CDCLatencyTarget point is ${Math.round((now - latency.at) / 60_000)} min old (older than ${MAX_CDC_POINT_AGE_MS / 60_000} min)` };
  const ok = latency.targetSeconds <= max;
  return { ok, text: `CDCLatencyTarget ${formatSeconds(latency.targetSeconds)} ${ok ? '≤' : '>'} ${formatSeconds(max)}` };
}


class NoAnswer extends Error {
  constructor(
    message: string,
    readonly late: boolean,
  ) {
    super(message);
  }
}

/** The port with every call bounded by the deadline (the SDK's own retries could outlast the fence timeout). */
function bounded(port: DmsFencePort, deadline: number): DmsFencePort {
  const within = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoAnswer(`${what} did not answer before the fence timeout`, true)), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([call().catch((e: Error) => Promise.reject(new NoAnswer(`${what} failed: ${e.message}`, false))), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { look: () => within('DMS (DescribeReplicationTasks/DescribeTableStatistics)', port.look), cdcLatency: () => within('CloudWatch', port.cdcLatency) };
}
