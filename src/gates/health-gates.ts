import type { AlertDesk } from '../alerts/alert-desk';
import type { CheckResult } from '../checks/check-result';
import { lagChecks } from '../checks/lag-checks';
import { dmsChecks } from '../dms/dms-checks';
import type { DmsMonitor } from '../dms/dms-monitor';
import { healthConditions } from '../health/health-watch';
import { checkRollbar, type RollbarSettings } from '../health/rollbar';
import { checkStatusPage } from '../health/status-page';
import type { LagMonitor } from '../monitoring/lag-monitor';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import type { RunButton } from '../views/run-button';
import type { Gate, GateRunner, GoNoGo } from './gate-runner';

export interface HealthGatesDeps {
  plan: Plan;
  migration: MigrationState;
  monitor: LagMonitor;
  dms: DmsMonitor;
  rollbar?: RollbarSettings;
  runner: GateRunner;
  alerts: AlertDesk;
  /** More gates for a hop (e.g. sequences), added by other parts. */
  extraGates?: (hop: Hop) => Gate[];
  /** Until when the error rate of a hop is watched after its cutover finished (ms), if it was cut over. */
  watchedUntil?: (hop: Hop) => Promise<number | undefined>;
}

export const ROLLBACK_ACTION = 'cutover.rollback';

/** Every gate a cutover of a hop must pass, and the scheduled watch of the health sources. */
export class HealthGates {
  constructor(private readonly deps: HealthGatesDeps) {}

  /** During a cutover, and for the error-watch window after it, the tighter spike threshold applies. */
  private async inCutoverWindow(hop: Hop): Promise<boolean> {
    if ((await this.deps.migration.read()).hops[hop.id]?.status === 'cutting-over') return true;
    return ((await this.deps.watchedUntil?.(hop)) ?? 0) > Date.now();
  }

  private healthSourceGates(hop: Hop): Gate[] {
    const { plan, rollbar } = this.deps;
    const timeoutMs = plan.health.timeout_ms;
    // The gate's own timeout is a backstop behind the HTTP timeouts, which say more precisely what happened.
    const gates: Gate[] = plan.health.status_pages.map((page) => ({
      id: `status:${page.name}`,
      label: `${page.name} status page`,
      source: page.url,
      timeoutMs: timeoutMs + 1000,
      run: async () => [await checkStatusPage(page, timeoutMs)],
    }));
    gates.push({
      id: 'rollbar',
      label: 'Error tracker',
      source: 'Rollbar',
      // Two rounds of requests: the minute counts, then the hourly counts and the items.
      timeoutMs: 2 * timeoutMs + 1000,
      run: async (): Promise<CheckResult[]> => {
        if (!rollbar) return [{ id: 'rollbar.api', label: 'Error tracker', status: 'fail', source: 'plan', observedAt: Date.now(), detail: 'no error tracker in the plan (health.rollbar): nobody would see the errors after the switch' }];
        return checkRollbar(rollbar, { cutoverWindow: await this.inCutoverWindow(hop), timeoutMs });
      },
    });
    return gates;
  }

  gatesFor(hop: Hop): Gate[] {
    const { migration, monitor, dms } = this.deps;
    const gates: Gate[] = [
      {
        id: 'hold',
        label: 'Hold',
        source: 'the team',
        run: async () => {
          const m = await migration.read();
          const h = m.hold;
          return [{ id: 'hold', label: 'Hold', source: 'the team', observedAt: Date.now(), status: h ? 'fail' : 'ok', value: h ? 'on hold' : 'none', by: h?.by, detail: h ? `"${h.reason}"` : undefined }];
        },
      },
      {
        id: `lag:${hop.id}`,
        label: 'Replication lag',
        source: `hop ${hop.id}`,
        run: async () => lagChecks(await monitor.sampleOf(hop), hop),
      },
    ];
    if (hop.method === 'dms') gates.push({ id: `dms:${hop.id}`, label: 'DMS task', source: `hop ${hop.id}`, run: async () => dmsChecks(await dms.report(hop), hop) });
    gates.push(...this.healthSourceGates(hop), ...(this.deps.extraGates?.(hop) ?? []));
    return gates;
  }

  goNoGo(hop: Hop, fresh = false): Promise<GoNoGo> {
    return this.deps.runner.evaluate(this.gatesFor(hop), { fresh });
  }

  /** The scheduled round: status pages and the error tracker, alerting when they degrade and when they recover. */
  async watch(now = Date.now()): Promise<CheckResult[]> {
    const m = await this.deps.migration.read();
    // Right after a cutover, the hop just cut over is the one watched, not the next one.
    let hop = hopById(this.deps.plan, m.currentHop) ?? this.deps.plan.hops[0];
    let afterCutover: (RunButton & { rollbackAction: string }) | undefined;
    for (const h of this.deps.plan.hops) {
      if (m.hops[h.id]?.status === 'done' && ((await this.deps.watchedUntil?.(h)) ?? 0) > now) {
        hop = h;
        // The button names the run it may roll back and the epoch it was drawn in: a later click is checked against both.
        afterCutover = { hop: h.id, run: m.hops[h.id]?.runId ?? '', epoch: m.epoch, rollbackAction: ROLLBACK_ACTION };
      }
    }
    const report = await this.deps.runner.evaluate(this.healthSourceGates(hop), { fresh: true });
    await this.deps.alerts.observe(healthConditions(report.results, afterCutover), now);
    return report.results;
  }
}
