import { randomUUID } from 'node:crypto';
import { allSubcommands } from '../../src/commands/registry';
import { BotHarness, SIGNING_SECRET } from '../support/bot-harness';
import { postSigned, slashCommandBody } from '../support/signed-request';

/** `/migrate <text>` sent from `channel` (a DM is D…); resolves to what the person reads. */
async function commandIn(h: BotHarness, channel: string, user: string, text: string, instance = 0): Promise<string> {
  const key = randomUUID();
  const res = await postSigned(`${h.url(instance)}/slack/events`, slashCommandBody({ user, text, channel, responseUrl: h.slack.responseUrl(key) }), { secret: SIGNING_SECRET });
  expect(res.status).toBe(200);
  return h.slack.replyTo(key);
}

describe('commands that change the migration run only in the plan\'s channel', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  });
  afterAll(() => h.stop());

  test.each([
    ['a DM', 'D0DIRECT'],
    ['another channel', 'C0ELSEWHERE'],
  ])('`lock` from %s is refused, names the channel, takes nothing and is audited', async (_where, channel) => {
    const reply = await commandIn(h, channel, 'U0OPS1', 'lock from elsewhere');
    expect(reply).toContain('changes the migration, so it runs only in <#C0DBMIGRATE>');
    expect(await h.bots[0].cutover.lock.read()).toBeUndefined();
    const [entry] = await h.bots[0].cutover.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'U0OPS1', action: 'command lock', outcome: 'refused' });
    expect(entry.detail).toContain(`sent from ${channel}`);
  });

  test('`hold`, `setup`, `sequences fix` and a real `cutover` from a DM are refused too', async () => {
    for (const text of ['hold not today', 'setup hop-one', 'sequences fix', 'cutover']) {
      expect(await commandIn(h, 'D0DIRECT', 'U0OPS1', text)).toContain('runs only in <#C0DBMIGRATE>');
    }
    expect((await h.bots[0].cutover.migration.read()).hold).toBeUndefined();
    expect(await h.bots[0].cutover.approvalStore.pending()).toEqual([]);
  });

  test('read-only commands answer anywhere, a DM included', async () => {
    expect(await commandIn(h, 'D0DIRECT', 'U0ANYONE', 'status')).toContain('*Lock:* free');
    expect(await commandIn(h, 'D0DIRECT', 'U0ANYONE', 'help')).toContain('lock [reason]');
    expect(await commandIn(h, 'D0DIRECT', 'U0ANYONE', 'history 1')).not.toContain('runs only in');
    expect(await commandIn(h, 'D0DIRECT', 'U0ANYONE', 'cutover --dry-run')).not.toContain('runs only in');
  });

  test('the same `lock` in the plan\'s channel runs', async () => {
    expect(await commandIn(h, 'C0DBMIGRATE', 'U0OPS1', 'lock in the channel')).toContain('You hold the migration lock');
    expect(await commandIn(h, 'C0DBMIGRATE', 'U0OPS1', 'unlock')).not.toContain('runs only in');
  });

  test('every subcommand declares which of its forms change the migration', () => {
    const changes = (text: string) => {
      const [name, ...args] = text.split(' ');
      const sub = allSubcommands().find((s) => s.name === name)!;
      return typeof sub.changesMigration === 'function' ? sub.changesMigration(args) : sub.changesMigration;
    };
    for (const t of ['lock', 'unlock --force', 'hold x', 'unhold', 'setup hop-one', 'dms start', 'dms hop-one stop', 'dms resume', 'dms reload a.b', 'dms start --reload-target', 'sequences fix', 'sequences hop-one FIX', 'cutover', 'cutover hop-one']) expect([t, changes(t)]).toEqual([t, true]);
    for (const t of ['status', 'help', 'plan', 'health', 'lag', 'history 5', 'dms', 'dms status', 'dms tables errored', 'sequences', 'sequences check', 'verify --checksum', 'cutover --dry-run']) expect([t, changes(t)]).toEqual([t, false]);
  });
});

describe('commands that cost the databases time: one at a time and one a minute per person, across processes', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start({ instances: 2 });
  });
  afterAll(() => h.stop());

  test('a second `sequences check` within the minute, even on another bot process, says when it may run again', async () => {
    await h.command('U0COST1', 'sequences check');
    const again = await h.command('U0COST1', 'sequences check', 1);
    expect(again).toMatch(/you ran `sequences check` \d+ s ago; again in \d+ s/);
    const [entry] = await h.bots[0].cutover.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'U0COST1', action: 'command sequences', outcome: 'refused' });
    // Someone else is not held back, nor is a fix (it needs the lock and approvals anyway).
    expect(await h.command('U0COST2', 'sequences check')).not.toContain('again in');
    expect(await h.command('U0COST1', 'sequences fix')).not.toContain('again in');
  });

  test('a run that was refused or had the wrong arguments costs nothing: the next one runs', async () => {
    expect(await h.command('U0COST3', 'sequences check too many words')).toContain('Usage');
    expect(await h.command('U0COST3', 'sequences check')).not.toContain('again in');
    expect(await h.command('U0COST3', 'verify --checksum')).not.toContain('again in');
    expect(await h.command('U0COST3', 'verify --checksum')).toMatch(/you ran `verify --checksum` \d+ s ago/);
  });
});
