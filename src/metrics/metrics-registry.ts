import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckStatus } from '../checks/check-result';
import type { LagSample } from '../checks/lag-sample';
import { HOP_STATUSES } from './hop-statuses';
import type { MetricsSnapshot, Read, ScrapeSnapshot } from './metrics-snapshot';

/** cutover_gate_state's value per check status: higher is better, so min() over gates is the hop's worst; unknown is lowest because it blocks like fail. */
export const GATE_STATE_VALUE: Record<CheckStatus, number> = { ok: 1, warn: 0.5, fail: 0, unknown: -1 };

/** A lag sample older than this is not shown as lag (NaN): sampling stopped, or the hop is no longer sampled. */
export const SAMPLE_STALE_MS = 120_000;

const COMMAND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The bot's metrics. Gauges are computed on scrape from one bounded snapshot of the stores
 * (Redis samples, DMS figures, gate reports, run records, lock, hold, approvals); command
 * counts and latencies are counted by this process as commands run.
 */
export class CutoverMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'subcommand' | 'outcome'>;
  private readonly commandSeconds: Histogram<'subcommand' | 'outcome'>;

  constructor(snapshot: ScrapeSnapshot) {
    const registers = [this.registry];
    /** A gauge computed from the scrape's snapshot. */
    const onScrape = <L extends string>(name: string, help: string, labelNames: L[], fill: (set: (labels: Record<L, string>, v: number) => void, s: MetricsSnapshot) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const s = await snapshot.get();
          this.reset();
          // prom-client shows a gauge without labels as 0 after reset: unless filled, it is unknown.
          if (!labelNames.length) this.set(NaN);
          fill((labels, v) => (labelNames.length ? this.set(labels, v) : this.set(v)), s);
        },
      });
    const perHop = <T>(s: MetricsSnapshot, pick: (h: MetricsSnapshot['hops'][string]) => Read<T>, each: (hop: string, v: T) => void, unknown?: (hop: string) => void) => {
      for (const [hop, h] of Object.entries(s.hops)) {
        const r = pick(h);
        if (r.known) each(hop, r.value);
        else unknown?.(hop);
      }
    };
    const fresh = (s: MetricsSnapshot, sample: LagSample | undefined) => (sample && s.at - sample.at <= SAMPLE_STALE_MS ? sample : undefined);
    const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

    onScrape('cutover_lag_seconds', 'End-to-end replication lag of the hop by the heartbeat, in seconds (NaN: not known or sample stale).', ['hop'], (set, s) =>
      perHop(s, (h) => h.sample, (hop, x) => set({ hop }, num(fresh(s, x)?.heartbeatLagSeconds)), (hop) => set({ hop }, NaN)),
    );
    onScrape('cutover_lag_bytes', 'WAL bytes the target has not replayed yet (physical hops; NaN: not known, not physical, or sample stale).', ['hop'], (set, s) =>
      perHop(s, (h) => h.sample, (hop, x) => set({ hop }, num(fresh(s, x)?.byteLag)), (hop) => set({ hop }, NaN)),
    );
    onScrape('cutover_lag_sample_age_seconds', 'Age of the hop\'s newest lag sample (absent: never sampled).', ['hop'], (set, s) =>
      perHop(s, (h) => h.sample, (hop, x) => x && set({ hop }, (s.at - x.at) / 1000), (hop) => set({ hop }, NaN)),
    );
    onScrape('cutover_heartbeat_age_seconds', 'Age of the newest heartbeat on each side of the hop, by the source\'s clock at the newest sample (NaN: not known).', ['hop', 'side'], (set, s) =>
      perHop(s, (h) => h.sample, (hop, raw) => {
        const x = fresh(s, raw);
        const age = (beat: { at: number } | null | undefined) => (x && beat && x.sourceClock !== null ? Math.max(0, (x.sourceClock - beat.at) / 1000) : NaN);
        set({ hop, side: 'source' }, age(x?.sourceHeartbeat));
        set({ hop, side: 'target' }, age(x?.targetHeartbeat));
      }),
    );
    onScrape('cutover_dms_full_load_percent', 'DMS full-load progress of the hop\'s task, 0-100, from its last report (DMS hops only; NaN: not known).', ['hop'], (set, s) =>
      perHop(s, (h) => h.dms, (hop, d) => d && set({ hop }, num(d.apiError ? undefined : d.fullLoadPercent)), (hop) => set({ hop }, NaN)),
    );
    onScrape('cutover_dms_tables_errored', 'Tables the hop\'s DMS task reports in error, from its last report (NaN: not known).', ['hop'], (set, s) =>
      perHop(s, (h) => h.dms, (hop, d) => d && set({ hop }, num(d.apiError ? undefined : d.tablesErrored)), (hop) => set({ hop }, NaN)),
    );
    onScrape('cutover_dms_cdc_latency_seconds', 'CloudWatch CDC latency of the hop\'s DMS task, toward the source and the target side (NaN: CloudWatch had no point).', ['hop', 'side'], (set, s) =>
      perHop(s, (h) => h.dms, (hop, d) => {
        if (!d) return;
        set({ hop, side: 'source' }, num(d.cdcSourceSeconds));
        set({ hop, side: 'target' }, num(d.cdcTargetSeconds));
      }),
    );
    onScrape('cutover_dms_report_timestamp_seconds', 'When the hop\'s last DMS report was made (Unix seconds).', ['hop'], (set, s) => perHop(s, (h) => h.dms, (hop, d) => d && set({ hop }, d.at / 1000)));
    onScrape('cutover_gate_state', 'Each check of the hop\'s last go/no-go: 1 ok, 0.5 warn, 0 fail, -1 unknown (blocks like fail).', ['hop', 'gate'], (set, s) =>
      perHop(s, (h) => h.gates, (hop, g) => {
        for (const [gate, status] of Object.entries(g?.gates ?? {})) set({ hop, gate }, GATE_STATE_VALUE[status]);
      }),
    );
    onScrape('cutover_gates_go', 'Whether the hop\'s last go/no-go was GO (1) or NO-GO (0).', ['hop'], (set, s) => perHop(s, (h) => h.gates, (hop, g) => g && set({ hop }, g.go ? 1 : 0)));
    onScrape('cutover_gates_timestamp_seconds', 'When the hop\'s last go/no-go was evaluated (Unix seconds).', ['hop'], (set, s) => perHop(s, (h) => h.gates, (hop, g) => g && set({ hop }, g.at / 1000)));
    onScrape('cutover_hop_status', 'The hop\'s state in the migration, one series per state: 1 for the current one.', ['hop', 'status'], (set, s) => {
      if (!s.migration.known) return;
      for (const [hop, p] of Object.entries(s.migration.value.hops)) for (const status of HOP_STATUSES) set({ hop, status }, p.status === status ? 1 : 0);
    });
    onScrape('cutover_lock_held', 'Whether someone holds the migration lock (1/0; NaN: Redis did not answer).', [], (set, s) => set({}, s.lock.known ? (s.lock.value ? 1 : 0) : NaN));
    onScrape('cutover_lock_held_seconds', 'How long the migration lock has been held (0: not held; NaN: Redis did not answer).', [], (set, s) => s.lock.known && set({}, s.lock.value ? (s.at - s.lock.value.acquiredAt) / 1000 : 0));
    onScrape('cutover_hold_on', 'Whether a hold ("not today") blocks cutovers (1/0; NaN: Redis did not answer).', [], (set, s) => set({}, s.migration.known ? (s.migration.value.hold ? 1 : 0) : NaN));
    onScrape('cutover_approvals_pending', 'Approval requests waiting for votes (NaN: Redis did not answer).', [], (set, s) => set({}, s.pendingApprovals.known ? s.pendingApprovals.value : NaN));
    onScrape('cutover_run_status', 'The hop\'s latest cutover run, labelled with its status (running, failed, interrupted, done, ...).', ['hop', 'status'], (set, s) => perHop(s, (h) => h.run, (hop, r) => r && set({ hop, status: r.status }, 1)));
    onScrape('cutover_step_duration_seconds', 'How long each step of the hop\'s latest cutover run took (still running: so far).', ['hop', 'step', 'status'], (set, s) =>
      perHop(s, (h) => h.run, (hop, r) => {
        for (const [step, x] of Object.entries(r?.steps ?? {})) if (x.startedAt !== undefined) set({ hop, step, status: x.status }, ((x.finishedAt ?? s.at) - x.startedAt) / 1000);
      }),
    );
    onScrape('cutover_downtime_seconds', 'Writes stopped in the hop\'s latest cutover run: until the app was back, or so far.', ['hop'], (set, s) =>
      perHop(s, (h) => h.run, (hop, r) => r?.writesStoppedAt !== undefined && set({ hop }, ((r.appBackAt ?? s.at) - r.writesStoppedAt) / 1000)),
    );
    onScrape('cutover_writes_stopped', 'Whether the app\'s writes are stopped by the hop\'s latest cutover run right now (1/0).', ['hop'], (set, s) =>
      perHop(s, (h) => h.run, (hop, r) => r && set({ hop }, r.writesStoppedAt !== undefined && r.appBackAt === undefined ? 1 : 0)),
    );
    onScrape('cutover_state_store_up', 'Whether every store read of this scrape answered within the bound (0: some values are NaN or missing).', [], (set, s) => set({}, s.storeAnswered ? 1 : 0));
    onScrape('cutover_process_runs_jobs', 'Whether the process that answered leads: runs the scheduled jobs (sampling, DMS polling, alerts). Its command counts are its own.', ['process'], (set, s) => set({ process: s.processId }, s.runsJobs ? 1 : 0));

    this.commands = new Counter({ name: 'cutover_commands_total', help: '/migrate commands this process ran, by subcommand and outcome (ok, refused, denied, error, store-unavailable).', labelNames: ['subcommand', 'outcome'], registers });
    this.commandSeconds = new Histogram({ name: 'cutover_command_duration_seconds', help: 'How long /migrate commands took in this process, by subcommand and outcome.', labelNames: ['subcommand', 'outcome'], buckets: COMMAND_BUCKETS, registers });
  }

  /** Counts one command; `subcommand` is a registered name (or "unknown"), never the person's text. */
  observeCommand(subcommand: string, outcome: string, seconds: number): void {
    this.commands.inc({ subcommand, outcome });
    this.commandSeconds.observe({ subcommand, outcome }, seconds);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
