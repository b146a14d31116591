import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { messageText } from '../support/slack-stand-in';
import { OPERATOR_GROUP } from '../support/test-plan';

describe('/migrate subcommands', () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await BotHarness.start();
    h.slack.usergroups.set(OPERATOR_GROUP, ['U0GROUPOP']);
  });
  afterAll(() => h.stop());

  test('help lists every subcommand with its usage', async () => {
    const text = await h.command('U0ANYONE', 'help');
    for (const usage of ['status', 'plan', 'history [n]', 'lock [reason]', 'unlock [--force]', 'hold <reason>', 'unhold', 'help']) {
      expect(text).toContain(`/migrate ${usage}`);
    }
  });

  test('an empty command shows help', async () => {
    expect(await h.command('U0ANYONE', '')).toContain('/migrate lock [reason]');
  });

  test('the slash command is acknowledged with an empty 200 at once', async () => {
    const started = Date.now();
    const res = await h.sendCommand('U0ANYONE', 'status');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    await h.slack.replyTo(res.key);
  });

  test('an unknown subcommand gets the list of subcommands, ephemerally', async () => {
    const res = await h.sendCommand('U0ANYONE', 'frobnicate now');
    await h.slack.replyTo(res.key);
    const body = h.slack.responsesTo(res.key)[0].body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toMatch(/unknown subcommand "frobnicate"[\s\S]*\/migrate help/);
    expect(await h.command('U0ANYONE', 'history 1')).toContain('<@U0ANYONE> command (unknown) — refused: frobnicate now');
  });

  test('bad arguments get the usage of that subcommand', async () => {
    expect(await h.command('U0OPS1', 'history lots')).toContain('Usage: `/migrate history [n]`');
    expect(await h.command('U0OPS1', 'history 0')).toContain('from 1 to 100');
    expect(await h.command('U0OPS1', 'hold')).toContain('Usage: `/migrate hold <reason>`');
    expect(await h.command('U0OPS1', 'unlock now')).toContain('Usage: `/migrate unlock [--force]`');
  });

  test('status shows the current hop, a free lock, no hold and no approvals on a fresh migration', async () => {
    const text = await h.command('U0ANYONE', 'status');
    expect(text).toContain('Hop 1 of 2:* heroku-to-ec2 (physical) Heroku → EC2');
    expect(text).toContain('*Lock:* free');
    expect(text).toContain('*Hold:* none');
    expect(text).toContain('*Pending approvals:* none');
  });

  test('plan shows both hops with their runbook steps', async () => {
    const text = await h.command('U0ANYONE', 'plan');
    expect(text).toContain('Hop 1: heroku-to-ec2* (physical)');
    expect(text).toContain('Hop 2: ec2-to-aurora* (dms)');
    expect(text).toContain('Promote the standby and confirm it left recovery');
    expect(text).toContain('Stop the DMS task once the fence is seen');
  });

  test('a non-operator cannot lock; the reply says why and the attempt is audited', async () => {
    const text = await h.command('U0STRANGER', 'lock because I can');
    expect(text).toContain('is for operators');
    expect(text).toContain('recorded');
    expect((await h.bots[0].cutover.lock.read())?.holder).not.toBe('U0STRANGER');
    const history = await h.command('U0ANYONE', 'history 5');
    expect(history).toMatch(/<@U0STRANGER> ran `\/migrate lock because I can` — denied/);
  });

  test('lock, status, refusal for a teammate, unlock by the holder', async () => {
    const taken = await h.command('U0OPS1', 'lock rehearsing hop 1');
    expect(taken).toMatch(/You hold the migration lock \(fencing token \d+\)/);
    const announce = await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('took the migration lock')));
    expect(announce.args.channel).toBe(h.plan.channel);

    expect(await h.command('U0ANYONE', 'status')).toMatch(/held by <@U0OPS1> for \d+ s — "rehearsing hop 1" \(fencing token \d+\)/);
    expect(await h.command('U0OPS1', 'lock again')).toContain('You already hold the migration lock');
    expect(await h.command('U0OPS2', 'lock mine now')).toContain('The lock is taken');
    expect(await h.command('U0OPS2', 'unlock')).toContain('Only they can release it');
    expect(await h.command('U0OPS1', 'unlock')).toContain('You released the migration lock');
    expect(await h.command('U0ANYONE', 'status')).toContain('*Lock:* free');
  });

  test('unlock --force by another operator releases the lock, announces it and audits it', async () => {
    await h.command('U0OPS1', 'lock long job');
    expect(await h.command('U0OPS2', 'unlock --force')).toContain('You force-released the lock held by <@U0OPS1>');
    await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('*force-released*')));
    expect(await h.command('U0ANYONE', 'history 3')).toMatch(/<@U0OPS2> ran `\/migrate unlock --force` — ok: forced; was held by U0OPS1/);
  });

  test('a member of an operator user group may lock (resolved with usergroups.users.list)', async () => {
    expect(await h.command('U0GROUPOP', 'lock via group')).toContain('You hold the migration lock');
    expect(h.slack.callsOf('usergroups.users.list').some((c) => c.args.usergroup === OPERATOR_GROUP)).toBe(true);
    await h.command('U0GROUPOP', 'unlock');
  });

  test('hold blocks with a reason until unhold; a second hold does not replace the first', async () => {
    expect(await h.command('U0OPS1', 'hold Rollbar is having an outage')).toContain('Hold placed');
    expect(await h.command('U0ANYONE', 'status')).toContain('*Hold:* "Rollbar is having an outage" — <@U0OPS1>');
    expect(await h.command('U0OPS2', 'hold something else')).toContain('A hold is already in place');
    expect(await h.command('U0OPS2', 'unhold')).toContain('Hold lifted');
    expect(await h.command('U0OPS2', 'unhold')).toContain('There is no hold to lift');
    expect(await h.command('U0ANYONE', 'status')).toContain('*Hold:* none');
  });

  test('history shows who did what, newest first', async () => {
    await h.command('U0OPS1', 'hold history check');
    await h.command('U0OPS1', 'unhold');
    const text = await h.command('U0ANYONE', 'history 3');
    const lines = text.split('\n').filter((l) => l.includes('<@U0'));
    expect(lines[0]).toMatch(/<@U0OPS1> ran `\/migrate unhold` — ok: history check/);
    expect(lines[1]).toMatch(/<@U0OPS1> ran `\/migrate hold history check` — ok: history check/);
  });

  test('user-typed text cannot ping the channel', async () => {
    await h.command('U0OPS1', 'hold <!channel> look <https://evil|here>');
    const text = await h.command('U0ANYONE', 'status');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    await h.command('U0OPS1', 'unhold');
  });
});
