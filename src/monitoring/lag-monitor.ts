import type { AlertDesk } from '../alerts/alert-desk';
import type { AlertEvent } from '../alerts/incident';
import { lagAlertKeys, lagConditions } from '../alerts/lag-conditions';
import { hopCatchUp } from '../checks/catch-up-eta';
import type { CatchUpReader } from '../dms/hop-catch-up';
import { lagChecks } from '../checks/lag-checks';
import { setupHeartbeat, writeHeartbeat, type Heartbeat } from '../checks/heartbeat';
import { targetHeartbeatSince } from '../checks/heartbeat-trust';
import { takeLagSample, type LagSample } from '../checks/lag-sample';
import type { DatabaseSet } from '../db/database-set';
import type { Logger } from '../log';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import type { SampleStore } from '../state/sample-store';
import { inStore, type StateStore } from '../state/state-store';
import { channelUpdateView } from '../views/lag-view';
import type { ChannelPort, MessageRef } from './channel-port';

const TREND_MS = 30 * 60_000;

export interface LagMonitorDeps {
  plan: Plan;
  databases: DatabaseSet;
  samples: SampleStore;
  alerts: AlertDesk;
  migration: MigrationState;
  channel: ChannelPort;
  redis: StateStore;
  /** Redis key remembering the periodic update message (edit-in-place mode). */
  updateKey: string;
  log: Logger;
  /** The update's catch-up line (a DMS hop's from CloudWatch); the stored samples' trend when absent. */
  catchUp?: CatchUpReader;
  /** True while the hop's cutover runs past its fence, and once the hop is cut over: its replication ends by design. */
  replicationEnded?: (hop: Hop) => Promise<boolean>;
}

/**
 * Watches the current hop: writes heartbeats on its source, samples lag on both ends, stores the
 * samples, raises and resolves alerts, and posts the periodic update. Knows nothing of Slack.
 */
export class LagMonitor {
  constructor(private readonly deps: LagMonitorDeps) {}

  /** The hop being watched: the current one, unless the whole migration is done. */
  async currentHop(): Promise<Hop | undefined> {
    const m = await this.deps.migration.read();
    if (m.hops[m.currentHop]?.status === 'done') return undefined;
    return hopById(this.deps.plan, m.currentHop);
  }

  /** `/migrate setup`: the heartbeat table on the hop's source (and on a writable target, for logical and DMS hops). */
  async setup(hop: Hop): Promise<string[]> {
    const { databases, plan } = this.deps;
    await setupHeartbeat(databases.get(hop.source.id), plan.heartbeat);
    const done = [`heartbeat table ${plan.heartbeat.schema}.${plan.heartbeat.table} on source ${hop.source.id}`];
    if (hop.method !== 'physical') {
      await setupHeartbeat(databases.get(hop.target.id), plan.heartbeat);
      done.push(`the same table on target ${hop.target.id} (include it in the ${hop.method === 'dms' ? 'DMS task table mappings' : 'publication'})`);
    }
    await writeHeartbeat(databases.get(hop.source.id), plan.heartbeat, hop.source.id);
    return done;
  }

  async beat(): Promise<Heartbeat | undefined> {
    const hop = await this.currentHop();
    if (!hop) return undefined;
    return writeHeartbeat(this.deps.databases.get(hop.source.id), this.deps.plan.heartbeat, hop.source.id);
  }

  /** One live sample of a hop, not stored; the stored ones tell how long the target has held its heartbeat. */
  async sampleOf(hop: Hop): Promise<LagSample> {
    const { databases, plan, samples } = this.deps;
    const [sample, previous] = await Promise.all([
      takeLagSample({ hop, source: databases.get(hop.source.id), target: databases.get(hop.target.id), heartbeat: plan.heartbeat }),
      samples.latest(hop.id),
    ]);
    return { ...sample, targetHeartbeatSince: targetHeartbeatSince(sample, previous) };
  }

  /** The scheduled round: sample the current hop, store it, evaluate its alerts. */
  async sampleAndAlert(now = Date.now()): Promise<LagSample | undefined> {
    const hop = await this.currentHop();
    // Sampled before anything else: a heartbeat written on the same tick would otherwise land first,
    // and the lag would read one heartbeat interval high.
    const sample = hop && (await this.sampleOf(hop));
    const ended = await this.closeEndedHops(now);
    if (!hop || !sample) return undefined;
    await this.deps.samples.add(sample);
    if (!ended.has(hop.id)) await this.evaluate(sample, hop, now);
    return sample;
  }

  evaluate(sample: LagSample, hop: Hop, now = Date.now()): Promise<AlertEvent[]> {
    return this.deps.alerts.observe(lagConditions(sample, hop, this.deps.plan.alerts), now);
  }

  /**
   * A hop whose replication its cutover ended by design (a running cutover past the fence, or a hop
   * cut over) is still sampled, but its replication alerts are not evaluated: its lag only grows and
   * its standby leaves recovery, by design. Those still open, fired or within their grace, are
   * resolved; once the migration moves on nothing else would resolve them.
   */
  private async closeEndedHops(now: number): Promise<Set<string>> {
    const { replicationEnded, plan, alerts } = this.deps;
    const ended = new Set<string>();
    if (!replicationEnded) return ended;
    for (const hop of plan.hops) if (await replicationEnded(hop)) ended.add(hop.id);
    if (!ended.size) return ended;
    // Only the incidents kept: a hop cut over long ago costs one read a round, not one update per alert.
    const endedKeys = new Set(plan.hops.filter((h) => ended.has(h.id)).flatMap(lagAlertKeys));
    const keys = (await alerts.kept()).filter((k) => endedKeys.has(k));
    if (keys.length) await alerts.observe(keys.map((key) => ({ key, active: false, summary: '', graceMs: 0 })), now);
    return ended;
  }

  openAlerts() {
    return this.deps.alerts.open();
  }

  /** The periodic update: one message per period, or one message edited in place. */
  async postUpdate(now = Date.now(), extraLines: string[] = []): Promise<void> {
    const { samples, alerts, channel, plan, redis, updateKey } = this.deps;
    const hop = await this.currentHop();
    if (!hop) return;
    const latest = await samples.latest(hop.id);
    const trend = await samples.since(hop.id, now - TREND_MS);
    const catchUp = !latest ? undefined : this.deps.catchUp ? await this.deps.catchUp(hop, trend, now) : hopCatchUp(hop, trend);
    const view = channelUpdateView(hop, latest, latest ? lagChecks(latest, hop) : [], trend, (await alerts.open()).length, extraLines, catchUp);
    if (plan.schedule.updateMode === 'edit') {
      const raw = await inStore(() => redis.get(updateKey));
      if (raw) {
        try {
          await channel.update(JSON.parse(raw) as MessageRef, view);
          return;
        } catch {
          // The message is gone (deleted, or too old to edit): post a new one.
        }
      }
    }
    const ref = await channel.post(view);
    await inStore(() => redis.set(updateKey, JSON.stringify(ref)));
  }
}
