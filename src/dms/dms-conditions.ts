import type { Observation } from '../alerts/incident';
import { duration } from '../views/slack-text';
import type { DmsReport } from './dms-report';

const RUNNING = new Set(['running', 'starting', 'creating', 'modifying', 'ready', 'testing']);

/**
 * Alert conditions of a DMS hop. `expectRunning` is false once the cutover stopped the task on
 * purpose. API throttling alerts only when it persists past `apiGraceMs` (the SDK retries it).
 */
export function dmsConditions(r: DmsReport, expectRunning: boolean, rules: { staleMs: number; apiGraceMs: number }): Observation[] {
  const k = (name: string) => `${r.hop}:${name}`;
  const t = r.task;
  const e = r.error;
  const apiSummary = e
    ? e.kind === 'not-found'
      ? `DMS task for *${r.hop}* not found (${e.code}): ${e.message}. Check the task ARN/identifier and region in the plan.`
      : e.kind === 'access-denied'
        ? `DMS access denied for *${r.hop}* (${e.code}): ${e.message}. The bot's AWS credentials need dms:Describe* (and Start/Stop/Reload for control).`
        : `DMS API error for *${r.hop}* (${e.code}): ${e.message}`
    : `DMS API answers again for *${r.hop}*`;
  const obs: Observation[] = [{ key: k('dms-api'), graceMs: e?.kind === 'throttled' ? rules.apiGraceMs : 0, active: e !== undefined, summary: apiSummary }];
  if (!t) return obs;
  obs.push(
    {
      key: k('dms-failed'),
      graceMs: 0,
      active: t.status === 'failed',
      summary: `DMS task *${t.id}* (${r.hop}) *FAILED*${t.lastFailureMessage ? `: ${t.lastFailureMessage}` : ''}${t.stopReason ? ` (stop reason: ${t.stopReason})` : ''}.`,
    },
    {
      key: k('dms-not-running'),
      graceMs: 0,
      active: expectRunning && t.status !== 'failed' && !RUNNING.has(t.status),
      summary: `DMS task *${t.id}* (${r.hop}) is *${t.status}* but should be running${t.stopReason ? ` (stop reason: ${t.stopReason})` : ''}.`,
    },
  );
  if (r.tables) {
    const errored = r.tables.errored.length;
    const invalid = r.tables.validationProblems.length;
    obs.push(
      { key: k('dms-tables-errored'), graceMs: 0, severity: errored, active: errored > 0, summary: `${errored} table${errored === 1 ? '' : 's'} in error on DMS hop *${r.hop}* (\`/migrate dms ${r.hop} tables errored\`).` },
      { key: k('dms-validation'), graceMs: 0, severity: invalid, active: invalid > 0, summary: `${invalid} table${invalid === 1 ? '' : 's'} with validation failures on DMS hop *${r.hop}* (\`/migrate dms ${r.hop} tables validation\`).` },
    );
  }
  const stalled = r.stalledForMs !== undefined && r.stalledForMs >= rules.staleMs;
  obs.push({
    key: k('dms-stalled'),
    graceMs: 0,
    active: stalled,
    summary: `DMS full load on *${r.hop}* has not progressed for ${duration(r.stalledForMs ?? 0)} (statistics not refreshing, stuck at ${t.fullLoadPercent ?? '?'}%).`,
  });
  return obs;
}
