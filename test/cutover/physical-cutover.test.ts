import { newestButtonValue } from '../support/buttons';
import { Client } from 'pg';
import { withdrawStaleCutoverApprovals } from '../../src/cutover/cutover-approval-actions';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { CUTOVER_ABORT } from '../../src/views/cutover-view';
import type { BotHarness } from '../support/bot-harness';
import { appUrl, approveBy, finishedRun, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import type { PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS } from '../support/test-plan';

/** What the app does once it is back: write through whatever DATABASE_URL Heroku gives it. */
async function appWrites(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ id: string }>("INSERT INTO orders (note) VALUES ('after the cutover') RETURNING id")).rows[0].id;
  } finally {
    await c.end();
  }
}

describe('cutover of a physical hop: primary → streaming standby, driven through Slack', () => {
  let rig: PhysicalRig;
  let primary: PgCluster;
  let standby: PgCluster;
  let world: PhysicalRig['world'];
  let h: BotHarness;

  beforeAll(async () => {
    rig = await physicalRig({ rows: 500, instances: 2, rollbarWriteToken: 'rollbar-write-token' });
    ({ primary, standby, world, h } = rig);
  });
  afterAll(() => rig.stop());

  const timeline = () => {
    const edits = h.slack.callsOf('chat.update').map((c) => messageText(c.args)).filter((t) => t.includes('Cutover hop-one'));
    return edits[edits.length - 1] ?? '';
  };

  test('--dry-run shows every step with its calls and SQL and runs nothing', async () => {
    const text = await h.command('U0ANYONE', 'cutover --dry-run');
    expect(text).toContain('1. Announce');
    expect(text).toContain('PATCH /apps/acme-api {"maintenance": true}');
    expect(text).toContain('SELECT pg_promote(true, 60)');
    expect(text).toContain('PATCH /apps/acme-api/config-vars {"DATABASE_URL": &lt;the URL in TARGET_APP_URL&gt;}');
    expect(world.heroku.calls).toHaveLength(0);
  });

  test('refused without the lock, and refused with the go/no-go report while a gate is not ok', async () => {
    expect(await h.command('U0OPS1', 'cutover')).toContain('needs the migration lock');
    await h.command('U0OPS1', 'lock cutover day');
    await h.command('U0OPS2', 'hold Rollbar is down');
    expect(await h.command('U0OPS1', 'cutover')).toContain('NO-GO');
    await eventually(() => h.slack.callsOf('chat.postMessage').some((c) => messageText(c.args).includes('NO-GO for hop-one')), 5000, 'the report in the channel');
    await h.command('U0OPS2', 'unhold');
  });

  test('a request whose gate turns bad while it waits for approval is withdrawn, and its buttons go away', async () => {
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    await h.command('U0OPS2', 'hold the error tracker is down again');
    const c = h.bots[0].cutover;
    const withdrawn = await withdrawStaleCutoverApprovals({ plan: c.plan, gates: c.gates, pending: () => c.approvalStore.pending(), invalidate: (id, why) => c.approvals.invalidate(id, why) });
    expect(withdrawn).toBe(1);
    expect((await c.approvalStore.get(req.id))!.status).toBe('invalidated');
    const edit = h.slack.callsOf('chat.update').filter((u) => u.args.ts === req.message?.ts).at(-1)!;
    expect(messageText(edit.args)).toContain('Withdrawn: nothing will run');
    expect(messageText(edit.args)).toContain('a gate turned bad: Hold');
    expect(JSON.stringify(edit.args.blocks)).not.toContain('approval.approve');
    expect(await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id)).key)).toContain('already closed');
    await h.command('U0OPS2', 'unhold');
  });

  test('approved by 20 clicks over two instances, it runs once: the app ends up on the promoted target with no duplicate key', async () => {
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    const clickers = APPROVERS.filter((u) => u !== 'U0OPS1');
    const clicks = await Promise.all(Array.from({ length: 20 }, (_, i) => h.click(clickers[i % clickers.length], APPROVE_ACTION, req.id, { instance: i % 2 })));
    const replies = await Promise.all(clicks.map((c) => h.slack.replyTo(c.key)));
    expect(replies.filter((r) => r.includes('completed the request'))).toHaveLength(1);

    const run = await finishedRun(h, 'hop-one', 45_000, req.id);
    expect(run.failure).toBeUndefined();
    expect(run.status).toBe('done');
    for (const step of Object.values(run.steps)) expect(step).toMatchObject({ status: 'done', attempts: 1 });

    // Heroku: back up, same formation, pointed at the target; the old add-on kept under another name.
    expect(world.heroku.maintenance).toBe(false);
    expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker')]).toEqual([3, 2]);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(standby));
    expect(world.heroku.configVars.CUTOVER_OLD_DATABASE_URL).toBe(appUrl(primary));
    expect(world.heroku.calls.filter((c) => c.method === 'PATCH' && c.path === '/apps/acme-api').map((c) => c.body)).toEqual([{ maintenance: true }, { maintenance: false }]);
    // Rollbar deploy markers.
    expect(world.rollbar.deploys.map((d) => d.body.status)).toEqual(['started', 'succeeded']);
    // The target was promoted; the app's next write lands there with a fresh id.
    expect((await standby.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(false);
    expect(Number(await appWrites(world.heroku.configVars.DATABASE_URL))).toBeGreaterThan(500);

    const text = timeline();
    expect(text).toContain(':white_check_mark: done');
    expect(text).toMatch(/\*Downtime:\* \d+ s \(writes back\)/);
    expect(text).not.toContain('Abort');
    const m = await h.bots[0].cutover.migration.read();
    expect(m.hops['hop-one'].status).toBe('done');
    expect(run.appBackAt! - run.writesStoppedAt!).toBeLessThan(30_000);
  });

  test('an error spike in the watch window after the cutover alerts with a Roll back button; approved, the app goes back to the source', async () => {
    world.rollbar.spike(40, 10);
    await h.bots[0].cutover.gates.watch();
    const alert = await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Error rate spiking')), 5000, 'the spike alert');
    expect(messageText(alert.args)).toContain('right after the cutover of *hop-one*');
    expect(JSON.stringify(alert.args.blocks)).toContain('"action_id":"cutover.rollback"');
    expect(await h.slack.replyTo((await h.click('U0STRANGER', 'cutover.rollback', newestButtonValue(h.slack, 'cutover.rollback'))).key)).toContain('Only operators');
    expect(await h.slack.replyTo((await h.click('U0OPS2', 'cutover.rollback', newestButtonValue(h.slack, 'cutover.rollback'))).key)).toContain('roll-back request is in the channel');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover.rollback');
    expect(req.warning).toContain('NOT copied back');
    expect(req.steps.join(' ')).not.toContain('NOT copied back');
    await approveBy(h, req.id, ['U0APP3', 'U0APP4']);
    await eventually(async () => (await h.bots[0].cutover.runner.status('hop-one')) === 'rolled-back', 10_000, 'the roll back');
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(primary));
    // Heroku manages DATABASE_URL again: the add-on has its DATABASE attachment back, the parked one is gone.
    expect(world.heroku.attachments.map((a) => [a.name, a.addon.id])).toEqual([['DATABASE', 'addon-pg']]);
    expect(world.heroku.configVars.CUTOVER_OLD_DATABASE_URL).toBeUndefined();
    expect(world.heroku.maintenance).toBe(false);
    expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker')]).toEqual([3, 2]);
    world.rollbar.steady(2);
  });

  test('after the app is back, Abort is refused', async () => {
    const click = await h.click('U0OPS1', CUTOVER_ABORT, newestButtonValue(h.slack, CUTOVER_ABORT));
    expect(await h.slack.replyTo(click.key)).toMatch(/no cutover to abort|Too late to abort/);
  });
});
