import { spawn, type ChildProcess } from 'node:child_process';
import { newestButtonValue } from '../support/buttons';
import { approveBy, finishedRun, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import type { PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { CUTOVER_ABORT, CUTOVER_RESUME } from '../../src/views/cutover-view';
import { CUTOVER_CONTINUE_WRITERS, CUTOVER_TERMINATE_WRITERS } from '../../src/views/stray-writers-view';
import type { CutoverRun } from '../../src/cutover/cutover-run';

/** A writer the plan does not know: a real psql, as its own role and application, inserting in a loop. */
class StrayPsql {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(url: string, application: string, script: string) {
    this.child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1'], { env: { ...process.env, PGAPPNAME: application }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d) => (this.output += d));
    this.child.stderr?.on('data', (d) => (this.output += d));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    this.child.stdin?.write(`${script}\n`);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function strayRole(primary: PgCluster): Promise<string> {
  await primary.sql("CREATE ROLE nightly_job LOGIN PASSWORD 'nightly-pw'");
  await primary.sql('CREATE TABLE stray_rows (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp()); GRANT INSERT, SELECT ON stray_rows TO nightly_job; GRANT USAGE ON SEQUENCE stray_rows_id_seq TO nightly_job', [], 'app');
  return primary.url('app', 'nightly_job', 'nightly-pw');
}

const strayRows = async (c: PgCluster) => Number((await c.sql<{ n: string }>('SELECT count(*) AS n FROM stray_rows', [], 'app'))[0].n);

function timelineOf(rig: PhysicalRig): string {
  const edits = rig.h.slack.callsOf('chat.update').map((c) => messageText(c.args)).filter((t) => t.includes('Cutover hop-one'));
  return edits[edits.length - 1] ?? '';
}

async function cutOverUntilStopped(rig: PhysicalRig, requester = 'U0OPS1'): Promise<CutoverRun> {
  expect(await rig.h.command(requester, 'cutover')).toContain('approval request is in the channel');
  const [req] = (await rig.h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
  await approveBy(rig.h, req.id);
  return finishedRun(rig.h, 'hop-one', 60_000, req.id);
}

const runOf = (rig: PhysicalRig) => rig.h.bots[0].cutover.runs.get('hop-one');

/** The run once done after the approved decision `requestId`; fails at once with the action's words if the action failed, or with the run's if the resumed attempt stopped again. */
async function doneAfter(rig: PhysicalRig, requestId: string, stopped: CutoverRun): Promise<CutoverRun> {
  const before = stopped.attempt;
  const outcome = await eventually(async () => {
    const run = await runOf(rig);
    if (run?.status === 'done') return { run };
    // The resumed attempt stopped again: say where and why at once, rather than wait out the test's time.
    if (run && run.attempt > before && (run.status === 'failed' || run.status === 'interrupted')) return { failed: `the resumed run stopped: ${run.failure ?? run.status}` };
    const action = (await rig.h.bots[0].cutover.approvalStore.get(requestId))?.run;
    return action?.status === 'failed' ? { failed: action.result ?? '?' } : undefined;
  }, 50_000, 'the resumed cutover to finish');
  if (!outcome.run) throw new Error(`the approved decision failed: ${outcome.failed}`);
  return outcome.run;
}

describe('stray writers on the source: a psql loop the plan does not know', () => {
  let rig: PhysicalRig;
  let stray: StrayPsql;

  beforeAll(async () => {
    rig = await physicalRig({ rows: 10 });
    // Short, so that each stop takes seconds, not the default 30 s.
    Object.assign(rig.h.plan.cutover, { writersTimeoutSeconds: 3 });
    // Autocommit INSERTs every 50 ms: between two of them the session is idle, as a scheduler's is.
    stray = new StrayPsql(await strayRole(rig.primary), 'nightly-reconcile', 'INSERT INTO stray_rows DEFAULT VALUES \\watch 0.05');
    await eventually(async () => (await strayRows(rig.primary)) > 5, 10_000, 'the stray loop to write');
  }, 120_000);
  afterAll(async () => {
    stray?.stop();
    await rig?.stop();
  });

  test('the dry run lists the session that would block today', async () => {
    const text = await rig.h.command('U0ANYONE', 'cutover --dry-run');
    expect(text).toContain('Stray writers');
    expect(text).toMatch(/1 session can write on the source now/);
    expect(text).toMatch(/role nightly_job · app "nightly-reconcile" · from 127\.0\.0\.1 · db app · connected [\d.]+ \w+ ago/);
    expect(rig.world.heroku.calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);
  });

  test('it blocks the fence and is listed; Abort; a Terminate from that older run is refused on the next one', async () => {
    await rig.h.command('U0OPS1', 'lock cutover day');
    const run = await cutOverUntilStopped(rig);
    expect(run.status).toBe('failed');
    expect(run.steps.writers.status).toBe('failed');
    // The fence never ran: the stray session would have written past it.
    expect(run.steps.fence.status).toBe('pending');
    expect(rig.world.heroku.maintenance).toBe(true);
    const [w] = run.strayWriters!.writers;
    expect(run.strayWriters!.writers).toHaveLength(1);
    expect(w).toMatchObject({ role: 'nightly_job', application: 'nightly-reconcile', client: '127.0.0.1', database: 'app' });
    expect(w.connectedSeconds).toBeGreaterThan(1);
    expect(w.why).toMatch(/INSERT INTO stray_rows/);
    expect(w.cannotTerminate).toBeUndefined();
    expect(run.failure).toMatch(/^1 session can still write on the source after \d+ s: pid \d+ \(nightly_job, "nightly-reconcile"\)\. What they write after the fence would be lost/);

    const timeline = await eventually(() => (timelineOf(rig).includes('Can still write on the source') ? timelineOf(rig) : undefined), 5000, 'the writers on the timeline');
    expect(timeline).toMatch(/pid \d+ · role nightly_job · app "nightly-reconcile" · from 127\.0\.0\.1 · db app · connected \d+(\.\d)? s ago/);
    for (const button of ['Terminate them', 'Continue anyway', 'Abort']) expect(timeline).toContain(button);
    const olderTerminate = newestButtonValue(rig.h.slack, CUTOVER_TERMINATE_WRITERS);
    expect(JSON.parse(olderTerminate)).toMatchObject({ hop: 'hop-one', run: run.id });

    // Only operators may ask to end someone's session.
    expect(await rig.h.slack.replyTo((await rig.h.click('U0STRANGER', CUTOVER_TERMINATE_WRITERS, olderTerminate)).key)).toContain('Only operators');

    expect(await rig.h.slack.replyTo((await rig.h.click('U0OPS1', CUTOVER_ABORT, newestButtonValue(rig.h.slack, CUTOVER_ABORT))).key)).toContain('aborted and rolled back');
    expect(rig.world.heroku.maintenance).toBe(false);

    const again = await cutOverUntilStopped(rig);
    expect(again.id).not.toBe(run.id);
    expect(again.steps.writers.status).toBe('failed');
    const reply = await rig.h.slack.replyTo((await rig.h.click('U0OPS1', CUTOVER_TERMINATE_WRITERS, olderTerminate)).key);
    expect(reply).toContain(`Refused: this is for run ${run.id}; the cutover of hop-one is run ${again.id} now`);
    expect((await rig.h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind.startsWith('cutover.writers'))).toHaveLength(0);
    expect(stray.child.exitCode).toBeNull();
  });

  test('Terminate, approved, ends exactly that session; the cutover completes and every row it committed is on the target', async () => {
    const stopped = (await runOf(rig))!;
    // The run resumes as the one who asks: without the lock, nothing is asked.
    expect(await rig.h.slack.replyTo((await rig.h.click('U0OPS2', CUTOVER_TERMINATE_WRITERS, newestButtonValue(rig.h.slack, CUTOVER_TERMINATE_WRITERS))).key)).toContain('needs the migration lock');
    const reply = await rig.h.slack.replyTo((await rig.h.click('U0OPS1', CUTOVER_TERMINATE_WRITERS, newestButtonValue(rig.h.slack, CUTOVER_TERMINATE_WRITERS))).key);
    expect(reply).toContain('A request to terminate 1 session is in the channel');
    const [req] = (await rig.h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover.writers.terminate');
    const pid = stopped.strayWriters!.writers[0].pid;
    expect(req.steps[0]).toContain(`pg_terminate_backend(${pid}) only if pid ${pid} is still the session that connected at ${stopped.strayWriters!.writers[0].backendStart}`);
    // A second request while one waits is refused, not stacked.
    expect(await rig.h.slack.replyTo((await rig.h.click('U0OPS1', CUTOVER_CONTINUE_WRITERS, newestButtonValue(rig.h.slack, CUTOVER_CONTINUE_WRITERS))).key)).toContain('already waiting for approval');

    await approveBy(rig.h, req.id, ['U0APP3', 'U0APP4']);
    const done = await doneAfter(rig, req.id, stopped);
    expect(await stray.exited).not.toBe(0);
    expect(stray.output).toMatch(/terminating connection due to administrator command/);
    expect(done.steps.writers).toMatchObject({ status: 'done', attempts: 2 });
    expect(done.steps.writers.result).toMatch(new RegExp(`terminated as approved by .*U0APP3.*: pid ${pid} ended; no other session can write on the source`));
    expect(done.strayWriters!.terminate!.outcome).toEqual([{ pid, backendStart: stopped.strayWriters!.writers[0].backendStart, ended: true, result: 'ended' }]);

    // Nothing the stray session committed before the fence is lost: the same rows on both ends.
    const onSource = await strayRows(rig.primary);
    expect(onSource).toBeGreaterThan(10);
    expect(await strayRows(rig.standby)).toBe(onSource);
    const audit = await rig.h.bots[0].cutover.audit.recent(200);
    expect(audit.find((a) => a.action === 'cutover writers terminate: hop-one')?.detail).toMatch(/approved by U0APP3, U0APP4: pid \d+ · role nightly_job/);
  });
});

describe('Continue anyway past a stray writer', () => {
  let rig: PhysicalRig;
  let stray: StrayPsql;

  beforeAll(async () => {
    rig = await physicalRig({ rows: 10 });
    Object.assign(rig.h.plan.cutover, { writersTimeoutSeconds: 2 });
    // One long statement that commits as it goes: an active, non-read-only session.
    stray = new StrayPsql(await strayRole(rig.primary), 'bi-export', 'DO $$ BEGIN LOOP INSERT INTO stray_rows DEFAULT VALUES; COMMIT; PERFORM pg_sleep(0.05); END LOOP; END $$;');
    await eventually(async () => (await strayRows(rig.primary)) > 5, 10_000, 'the stray loop to write');
  }, 120_000);
  afterAll(async () => {
    stray?.stop();
    await rig?.stop();
  });

  test('approved, it is recorded on the run and in the audit log, shown as a warning, and the cutover goes on', async () => {
    await rig.h.command('U0OPS1', 'lock cutover day');
    const run = await cutOverUntilStopped(rig);
    expect(run.steps.writers.status).toBe('failed');
    expect(run.strayWriters!.writers[0]).toMatchObject({ role: 'nightly_job', application: 'bi-export' });
    expect(run.strayWriters!.writers[0].why).toMatch(/running for .*DO \$\$ BEGIN LOOP INSERT/);

    const reply = await rig.h.slack.replyTo((await rig.h.click('U0OPS1', CUTOVER_CONTINUE_WRITERS, newestButtonValue(rig.h.slack, CUTOVER_CONTINUE_WRITERS))).key);
    expect(reply).toContain('A request to continue anyway past 1 session is in the channel');
    const [req] = (await rig.h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover.writers.continue');
    expect(req.steps[0]).toContain('what they write after the fence is LOST');
    await approveBy(rig.h, req.id);
    const done = await doneAfter(rig, req.id, run);

    expect(done.strayWriters!.continued).toEqual([expect.objectContaining({ by: 'U0OPS1', approvedBy: ['U0APP1', 'U0APP2'], writers: run.strayWriters!.writers })]);
    expect(done.steps.writers.result).toMatch(/1 let through \(Continue anyway\)/);
    expect(done.warnings?.find((w) => w.step === 'writers')?.text).toMatch(/continued anyway past 1 session that can still write on the source, as decided by <@U0OPS1> \(approved by <@U0APP1>, <@U0APP2>\)/);
    expect(timelineOf(rig)).toMatch(/:warning: \d+\. Stray writers/);
    const audit = await rig.h.bots[0].cutover.audit.recent(200);
    expect(audit.find((a) => a.action === 'cutover writers continue anyway: hop-one')).toMatchObject({ actor: 'U0OPS1', outcome: 'ok' });

    // The session was never touched, and what it wrote after the fence is on the source only: the price of going on.
    expect(stray.child.exitCode).toBeNull();
    await eventually(async () => (await strayRows(rig.primary)) > (await strayRows(rig.standby)), 5000, 'writes after the fence on the source only');
  });
});

describe('a session that connects after the writers check and writes before the fence', () => {
  let rig: PhysicalRig;
  let late: StrayPsql | undefined;

  beforeAll(async () => {
    rig = await physicalRig({ rows: 10 });
    Object.assign(rig.h.plan.cutover, { writersTimeoutSeconds: 2 });
  }, 120_000);
  afterAll(async () => {
    late?.stop();
    await rig?.stop();
  });

  test('the fence looks again once the target shows its heartbeat, fails naming it; Resume after it is stopped loses nothing', async () => {
    const url = await strayRole(rig.primary);
    await rig.h.command('U0OPS1', 'lock cutover day');
    expect(await rig.h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const [req] = (await rig.h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    await approveBy(rig.h, req.id);
    // The approved action checks the gates (Replay among them) before the run begins: the approval's reply is no sign they passed, the run is.
    const started = await eventually(async () => {
      if (await runOf(rig)) return { ok: true };
      const action = (await rig.h.bots[0].cutover.approvalStore.get(req.id))?.run;
      return action?.status === 'failed' ? { failed: action.result ?? '?' } : undefined;
    }, 10_000, 'the approved cutover to begin');
    if ('failed' in started) throw new Error(`the approved cutover ran nothing: ${started.failed}`);
    // Once the gates passed, the standby holds back the fence's heartbeat until the late session writes (the writers step takes two looks 0.5 s apart).
    await rig.standby.sql('SELECT pg_wal_replay_pause()');
    await eventually(async () => ((await runOf(rig))?.steps.writers.status === 'done' && (await runOf(rig))?.steps.fence.status === 'running' ? true : undefined), 30_000, 'the writers check to pass and the fence to wait');
    late = new StrayPsql(url, 'late-job', 'INSERT INTO stray_rows DEFAULT VALUES \\watch 0.05');
    await eventually(async () => ((await strayRows(rig.primary)) > 5 ? true : undefined), 10_000, 'the late session to write');
    await rig.standby.sql('SELECT pg_wal_replay_resume()');

    const run = await finishedRun(rig.h, 'hop-one', 60_000, req.id);
    expect(run.status).toBe('failed');
    expect(run.steps.writers.status).toBe('done');
    expect(run.steps.fence.status).toBe('failed');
    expect(run.steps.detach.status).toBe('pending');
    expect(run.failure).toMatch(/^a session started writing after the writers check: pid \d+ · role nightly_job · app "late-job" · from 127\.0\.0\.1 · db app · connected [\d.]+ \w+ ago: .*stray_rows.* — Abort, or Resume after it is stopped/);
    expect(rig.world.heroku.maintenance).toBe(true);

    // Stopped, the session's rows all reach the target with the next fence: nothing it wrote is lost.
    late.stop();
    await late.exited;
    const resumed = await rig.h.click('U0OPS1', CUTOVER_RESUME, newestButtonValue(rig.h.slack, CUTOVER_RESUME));
    expect(await rig.h.slack.replyTo(resumed.key, 15_000)).toContain('Resuming');
    const done = await eventually(async () => {
      const r = await runOf(rig);
      return r?.status === 'done' || (r?.status === 'failed' && r.steps.fence.attempts > 1) ? r : undefined;
    }, 45_000, 'the resumed cutover to finish');
    expect(done.failure).toBeUndefined();
    expect(done.steps.fence).toMatchObject({ status: 'done', attempts: 2 });
    expect(done.steps.fence.result).toMatch(/^target has heartbeat \d+ \d+ ms after it was written$/);
    const onSource = await strayRows(rig.primary);
    expect(onSource).toBeGreaterThan(5);
    expect(await strayRows(rig.standby)).toBe(onSource);
  }, 120_000);
});
