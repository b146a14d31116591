import { BotHarness } from '../support/bot-harness';
import { HEROKU_TOKEN, appUrl, approveBy, createAppRole, cutoverPlan, cutoverWorld, finishedRun, hopUrls } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { parseExposition, scrape, valueOf, type Family } from './exposition';

const TOKEN = 'metrics-token-5f1c2a9e';
const HOP = { hop: 'hop-one' };

/** A rehearsal of a physical hop on two bot processes, scraped the way Prometheus scrapes it. */
describe('/metrics during a rehearsal: a physical hop sampled, gated, locked, held, approved and cut over', () => {
  const folder = new ClusterFolder();
  let primary: PgCluster;
  let standby: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let h: BotHarness;
  const metrics = async (instance = 0) => {
    const res = await scrape(h.url(instance), TOKEN);
    expect(res.status).toBe(200);
    return parseExposition(res.text);
  };

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    await primary.sql('CREATE DATABASE app');
    await primary.sql("CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 200)", [], 'app');
    await createAppRole(primary);
    standby = await PgCluster.streamingStandby(primary);
    world = await cutoverWorld(appUrl(primary));
    h = await BotHarness.start({
      instances: 2,
      plan: cutoverPlan({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar }),
      databaseUrls: hopUrls(primary, standby),
      settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token', rollbarWriteToken: 'rollbar-write-token', metricsToken: TOKEN },
      jobs: true,
    });
    await h.command('U0OPS1', 'setup hop-one');
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'the standby to catch up');
  });
  afterAll(async () => {
    await h.stop();
    await world.stop();
    await standby.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  test('without the token: 401 and no metrics; with a wrong one: 401; with it: 200 in Prometheus text', async () => {
    const none = await scrape(h.url());
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('cutover_');
    const wrong = await scrape(h.url(), `${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('cutover_');
    const ok = await scrape(h.url(), TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseExposition(ok.text).get('cutover_lag_seconds')?.type).toBe('gauge');
  });

  test('while the hop streams: lag near zero, fresh heartbeats, the lock and the hold on, the gates as evaluated', async () => {
    await h.command('U0OPS1', 'lock rehearsal of the cutover');
    await h.command('U0OPS2', 'hold waiting for the DBA');
    expect(await h.command('U0ANYONE', 'health')).toContain('NO-GO');
    // A fresh sample after the heartbeat reached the standby again.
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'a caught-up sample');
    const m = await metrics();
    expect(valueOf(m, 'cutover_lag_seconds', HOP)).toBeLessThan(5);
    expect(valueOf(m, 'cutover_lag_seconds', HOP)).toBeGreaterThanOrEqual(0);
    const bytes = valueOf(m, 'cutover_lag_bytes', HOP);
    expect(Number.isFinite(bytes) && bytes >= 0).toBe(true);
    expect(valueOf(m, 'cutover_lag_sample_age_seconds', HOP)).toBeLessThan(10);
    for (const side of ['source', 'target']) {
      const age = valueOf(m, 'cutover_heartbeat_age_seconds', { ...HOP, side });
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(10);
    }
    expect(valueOf(m, 'cutover_lock_held')).toBe(1);
    expect(valueOf(m, 'cutover_lock_held_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(m, 'cutover_hold_on')).toBe(1);
    expect(valueOf(m, 'cutover_approvals_pending')).toBe(0);
    expect(valueOf(m, 'cutover_hop_status', { ...HOP, status: 'streaming' })).toBe(1);
    expect(valueOf(m, 'cutover_hop_status', { ...HOP, status: 'done' })).toBe(0);
    // The hold fails its gate; the rest passed (GO apart from it).
    expect(valueOf(m, 'cutover_gate_state', { ...HOP, gate: 'hold' })).toBe(0);
    expect(valueOf(m, 'cutover_gates_go', HOP)).toBe(0);
    expect(Date.now() / 1000 - valueOf(m, 'cutover_gates_timestamp_seconds', HOP)).toBeLessThan(30);
    expect(gateStates(m).length).toBeGreaterThan(3);
    // A physical hop has no DMS task: no DMS figures, rather than zeros.
    expect(m.get('cutover_dms_full_load_percent')?.samples ?? []).toEqual([]);
    expect(valueOf(m, 'cutover_state_store_up')).toBe(1);
  });

  test('a cutover request pending: the gates all ok (GO) and one approval waiting', async () => {
    await h.command('U0OPS2', 'unhold');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const m = await metrics();
    expect(valueOf(m, 'cutover_hold_on')).toBe(0);
    expect(valueOf(m, 'cutover_approvals_pending')).toBe(1);
    expect(valueOf(m, 'cutover_gates_go', HOP)).toBe(1);
    // GO: nothing fails or is unknown; no full verify has run yet, which is a warning (0.5), not a ✅.
    expect(gateStates(m).filter((s) => s.value < 0.5)).toEqual([]);
    expect(valueOf(m, 'cutover_gate_state', { ...HOP, gate: 'verify.full:hop-one' })).toBe(0.5);
    expect(valueOf(m, 'cutover_gate_state', { ...HOP, gate: 'hold' })).toBe(1);
  });

  test('after the cutover: the run done, each step with its duration, the downtime as the run measured it, command counts', async () => {
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    await approveBy(h, req.id);
    const run = await finishedRun(h, 'hop-one', 45_000, req.id);
    expect(run.status).toBe('done');
    await h.command('U0ANYONE', 'frobnicate');
    const m = await metrics();
    expect(valueOf(m, 'cutover_run_status', { ...HOP, status: 'done' })).toBe(1);
    expect(valueOf(m, 'cutover_hop_status', { ...HOP, status: 'done' })).toBe(1);
    expect(valueOf(m, 'cutover_approvals_pending')).toBe(0);
    const steps = Object.entries(run.steps).filter(([, s]) => s.startedAt !== undefined);
    expect(steps.length).toBeGreaterThan(5);
    for (const [step, s] of steps) expect(valueOf(m, 'cutover_step_duration_seconds', { ...HOP, step, status: 'done' })).toBeCloseTo((s.finishedAt! - s.startedAt!) / 1000, 3);
    const downtime = valueOf(m, 'cutover_downtime_seconds', HOP);
    expect(downtime).toBeCloseTo((run.appBackAt! - run.writesStoppedAt!) / 1000, 3);
    expect(downtime).toBeGreaterThan(0);
    expect(downtime).toBeLessThan(30);
    expect(valueOf(m, 'cutover_writes_stopped', HOP)).toBe(0);
    // This process ran these commands; the unknown one is counted under "unknown", never its text.
    expect(valueOf(m, 'cutover_commands_total', { subcommand: 'cutover', outcome: 'ok' })).toBe(1);
    expect(valueOf(m, 'cutover_commands_total', { subcommand: 'hold', outcome: 'ok' })).toBe(1);
    expect(valueOf(m, 'cutover_commands_total', { subcommand: 'unknown', outcome: 'refused' })).toBe(1);
    expect(JSON.stringify(m.get('cutover_commands_total'))).not.toContain('frobnicate');
    const histogram = m.get('cutover_command_duration_seconds')!;
    expect(histogram.type).toBe('histogram');
    expect(valueOf(m, 'cutover_command_duration_seconds_count', { subcommand: 'health', outcome: 'ok' })).toBe(1);
    expect(valueOf(m, 'cutover_command_duration_seconds_sum', { subcommand: 'health', outcome: 'ok' })).toBeGreaterThan(0);
    expect(valueOf(m, 'cutover_command_duration_seconds_bucket', { subcommand: 'health', outcome: 'ok', le: '+Inf' })).toBe(1);
  });

  test('each process serves its own: the same migration state from Redis, its own command counts, one runs the jobs', async () => {
    const [a, b] = [await metrics(0), await metrics(1)];
    for (const m of [a, b]) {
      expect(valueOf(m, 'cutover_lock_held')).toBe(1);
      expect(valueOf(m, 'cutover_run_status', { ...HOP, status: 'done' })).toBe(1);
      expect(valueOf(m, 'cutover_gates_go', HOP)).toBe(1);
    }
    expect(valueOf(a, 'cutover_downtime_seconds', HOP)).toBe(valueOf(b, 'cutover_downtime_seconds', HOP));
    // Every command went to process 0.
    expect(b.get('cutover_commands_total')?.samples ?? []).toEqual([]);
    expect(valueOf(a, 'cutover_process_runs_jobs', { process: h.bots[0].processId }) + valueOf(b, 'cutover_process_runs_jobs', { process: h.bots[1].processId })).toBe(1);
  });
});

function gateStates(m: Map<string, Family>) {
  return (m.get('cutover_gate_state')?.samples ?? []).filter((s) => s.labels.hop === 'hop-one');
}
