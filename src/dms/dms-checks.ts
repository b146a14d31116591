import type { CheckResult } from '../checks/check-result';
import { cdcState, type DmsReport } from './dms-report';

/** A DMS report as gate results: the task runs, no table errored, validation clean, CDC replicating. */
export function dmsChecks(r: DmsReport, source: string): CheckResult[] {
  const base = { source, observedAt: r.at };
  if (!r.task) return [{ ...base, id: 'dms.task', label: 'DMS task', status: 'unknown', detail: `${r.error?.code}: ${r.error?.message}` }];
  const t = r.task;
  const cdc = cdcState(t);
  const out: CheckResult[] = [
    { ...base, id: 'dms.task', label: 'DMS task', status: t.status === 'running' ? 'ok' : 'fail', value: t.status, detail: t.status === 'running' ? undefined : t.lastFailureMessage ?? t.stopReason },
    { ...base, id: 'dms.cdc', label: 'DMS change data capture', status: cdc === 'replicating ongoing changes' ? 'ok' : 'fail', value: cdc },
  ];
  if (r.tables) {
    out.push(
      { ...base, id: 'dms.tables', label: 'DMS tables in error', status: r.tables.errored.length ? 'fail' : 'ok', value: String(r.tables.errored.length) },
      { ...base, id: 'dms.validation', label: 'DMS validation problems', status: r.tables.validationProblems.length ? 'fail' : 'ok', value: String(r.tables.validationProblems.length) },
    );
  }
  return out;
}
