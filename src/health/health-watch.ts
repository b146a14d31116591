import type { Observation } from '../alerts/incident';
import type { CheckResult } from '../checks/check-result';
import { runButtonValue, type RunButton } from '../views/run-button';

// A page that cannot be read for a couple of minutes is worth saying; a single blip is not.
const UNKNOWN_GRACE_MS = 2 * 60_000;

/** Health results as alert conditions: a status page degraded or unreadable, the error tracker blind or spiking. */
export function healthConditions(results: CheckResult[], afterCutover?: RunButton & { rollbackAction: string }): Observation[] {
  return results
    .filter((r) => r.id.startsWith('status.') || r.id.startsWith('rollbar.'))
    .map((r) => ({
      key: `health:${r.id}`,
      active: r.status !== 'ok',
      graceMs: r.status === 'unknown' ? UNKNOWN_GRACE_MS : 0,
      buttons:
        afterCutover && r.id === 'rollbar.error-rate'
          ? [{ actionId: afterCutover.rollbackAction, text: `Roll back ${afterCutover.hop}…`, value: runButtonValue(afterCutover), style: 'danger' as const, confirm: rollBackConfirm(afterCutover.hop) }]
          : undefined,
      summary:
        r.id === 'rollbar.error-rate' && r.status === 'fail'
          ? `*Error rate spiking* in Rollbar: ${r.value}.${afterCutover ? ` This is right after the cutover of *${afterCutover.hop}*.` : ''}`
          : `*${r.label}*: ${r.status === 'unknown' ? 'unknown' : r.status}${r.detail ? ` — ${r.detail}` : r.value ? ` — ${r.value}` : ''}${r.link ? ` (<${r.link}|source>)` : ''}`,
    }));
}

function rollBackConfirm(hop: string) {
  return { title: `Roll back the cutover of ${hop}?`, text: 'Asks teammates to approve putting the app back on the source. Writes made on the target since the cutover are NOT copied back.', button: 'Ask to roll back' };
}
