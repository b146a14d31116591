import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startBot, type RunningBot } from '../../src/bot';
import type { Settings } from '../../src/config/settings';
import { SIGNING_SECRET, testSettings } from '../support/bot-harness';
import { sleep } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { buttonClickBody, postSigned, slashCommandBody } from '../support/signed-request';
import { SlackStandIn } from '../support/slack-stand-in';
import { testPlan } from '../support/test-plan';

interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  why?: string;
  [k: string]: unknown;
}

/** A real bot whose log lines are kept, to see that every refusal says why and nothing failed. */
async function botWithLog(slack: SlackStandIn, settings: Partial<Settings> = {}): Promise<{ bot: RunningBot; lines: LogLine[]; url: string }> {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const bot = await startBot({ settings: { ...testSettings(slack, TEST_REDIS_URL), ...settings }, plan: testPlan(), log, slackRetryConfig: { retries: 0 }, jobs: false });
  return { bot, lines, url: `http://127.0.0.1:${bot.port}/slack/events` };
}

const form = (payload: string) => new URLSearchParams({ payload }).toString();

/** A well-formed click, changed by `change`, as a signed form body. */
function click(responseUrl: string, change: (p: Record<string, unknown>) => void): string {
  const p = JSON.parse(new URLSearchParams(buttonClickBody({ user: 'U0OPS1', actionId: 'approval.approve', value: randomUUID(), responseUrl })).get('payload')!) as Record<string, unknown>;
  change(p);
  return form(JSON.stringify(p));
}

/** A well-formed `/migrate lock`, changed by `change`. */
function command(responseUrl: string, change: (p: URLSearchParams) => void): string {
  const p = new URLSearchParams(slashCommandBody({ user: 'U0OPS1', text: 'lock malformed', responseUrl }));
  change(p);
  return p.toString();
}

describe('signed requests of the wrong shape: 400 with the reason in the log; no listener runs or fails', () => {
  const slack = new SlackStandIn();
  let b: Awaited<ReturnType<typeof botWithLog>>;
  beforeAll(async () => {
    await slack.start();
    b = await botWithLog(slack);
  });
  afterAll(async () => {
    await b.bot.stop();
    await slack.stop();
  });

  const r = (key: string) => slack.responseUrl(key);
  const cases: [string, (key: string) => string][] = [
    ['payload=null', () => form('null')],
    ['payload=[]', () => form('[]')],
    ['payload="x"', () => form('"x"')],
    ['payload=42', () => form('42')],
    ['payload that is not JSON', () => form('{not json')],
    ['an empty payload', () => 'payload='],
    ['an empty body', () => ''],
    ['actions: {}', (k) => click(r(k), (p) => (p.actions = {}))],
    ['actions: [42]', (k) => click(r(k), (p) => (p.actions = [42]))],
    ['actions: [{}]', (k) => click(r(k), (p) => (p.actions = [{}]))],
    ['actions: []', (k) => click(r(k), (p) => (p.actions = []))],
    ['user: null', (k) => click(r(k), (p) => (p.user = null))],
    ['channel: null', (k) => click(r(k), (p) => (p.channel = null))],
    ['action_id: null', (k) => click(r(k), (p) => ((p.actions as Record<string, unknown>[])[0].action_id = null))],
    ['a click with no team', (k) => click(r(k), (p) => delete p.team)],
    ['a click whose response_url is not http(s)', (k) => click(r(k), (p) => (p.response_url = 'javascript:alert(1)'))],
    ['a type the bot does not serve', (k) => click(r(k), (p) => (p.type = 'view_submission'))],
    ['a command with no user_id', (k) => command(r(k), (p) => p.delete('user_id'))],
    ['a command with no channel_id', (k) => command(r(k), (p) => p.delete('channel_id'))],
    ['a command with no text', (k) => command(r(k), (p) => p.delete('text'))],
    ['a command with two user_ids', (k) => command(r(k), (p) => p.append('user_id', 'U0OPS2'))],
    ['a command with no response_url', (k) => command(r(k), (p) => p.delete('response_url'))],
  ];

  test.each(cases)('%s', async (_name, body) => {
    const key = randomUUID();
    const before = b.lines.length;
    const res = await postSigned(b.url, body(key), { secret: SIGNING_SECRET });
    expect(res.status).toBe(400);
    await sleep(200);
    const lines = b.lines.slice(before);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.find((l) => l.msg === 'refused a request to the Slack endpoint' && l.status === 400 && typeof l.reason === 'string' && l.reason.length > 10)).toBeDefined();
    expect(slack.responsesTo(key)).toEqual([]);
    expect(await b.bot.cutover.lock.read()).toBeUndefined();
  });

  test('after all of them the bot answers as before', async () => {
    const key = randomUUID();
    const res = await postSigned(b.url, slashCommandBody({ user: 'U0ANYONE', text: 'status', responseUrl: r(key) }), { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(await slack.replyTo(key)).toContain('*Lock:* free');
    expect(b.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  test('a signed body over 1 MiB gets 413 before it is parsed', async () => {
    const body = command(r('big'), (p) => p.set('text', `hold ${'x'.repeat(1024 * 1024)}`));
    expect((await postSigned(b.url, body, { secret: SIGNING_SECRET })).status).toBe(413);
  });
});

describe('requests from another workspace or app are refused, answered and audited', () => {
  const slack = new SlackStandIn();
  beforeAll(() => slack.start());
  afterAll(() => slack.stop());

  test('a command from another workspace: 200, an ephemeral naming the workspace the bot serves, nothing run, audited', async () => {
    const b = await botWithLog(slack);
    try {
      const key = randomUUID();
      const res = await postSigned(b.url, command(slack.responseUrl(key), (p) => p.set('team_id', 'T0OTHER')), { secret: SIGNING_SECRET });
      expect(res.status).toBe(200);
      expect(await slack.replyTo(key)).toContain('This bot serves workspace *Example* (T0TEAM), not this one; nothing was done.');
      expect(await b.bot.cutover.lock.read()).toBeUndefined();
      const [entry] = await b.bot.cutover.audit.recent(1);
      expect(entry).toMatchObject({ actor: 'U0OPS1', action: 'command (not this workspace or app)', outcome: 'refused' });
      expect(entry.detail).toContain('workspace T0OTHER is not T0TEAM');
      expect(b.lines.find((l) => l.msg === 'refused a Slack request from another workspace or app' && l.team === 'T0OTHER')).toBeDefined();
    } finally {
      await b.bot.stop();
    }
  });

  test('a click from another workspace: no action, no answer, a log line and an audit entry', async () => {
    const b = await botWithLog(slack);
    try {
      const key = randomUUID();
      const body = click(slack.responseUrl(key), (p) => {
        p.team = { id: 'T0OTHER', domain: 'other' };
      });
      expect((await postSigned(b.url, body, { secret: SIGNING_SECRET })).status).toBe(200);
      await sleep(500);
      // In this workspace the same click is answered ("no longer exists"): there, nothing.
      expect(slack.responsesTo(key)).toEqual([]);
      const [entry] = await b.bot.cutover.audit.recent(1);
      expect(entry).toMatchObject({ actor: 'U0OPS1', action: 'click (not this workspace or app)', outcome: 'refused' });
      expect(b.lines.find((l) => l.msg === 'refused a Slack request from another workspace or app' && l.team === 'T0OTHER')).toBeDefined();
    } finally {
      await b.bot.stop();
    }
  });

  test('with SLACK_APP_ID set, a request naming another app is refused; one naming this app runs', async () => {
    const b = await botWithLog(slack, { slackAppId: 'A0CUTOVER' });
    try {
      const other = randomUUID();
      await postSigned(b.url, slashCommandBody({ user: 'U0ANYONE', text: 'status', responseUrl: slack.responseUrl(other) }).replace('api_app_id=A0CUTOVER', 'api_app_id=A0OTHER'), { secret: SIGNING_SECRET });
      expect(await slack.replyTo(other)).toContain('This request came from another Slack app (A0OTHER)');
      const ours = randomUUID();
      await postSigned(b.url, slashCommandBody({ user: 'U0ANYONE', text: 'status', responseUrl: slack.responseUrl(ours) }), { secret: SIGNING_SECRET });
      expect(await slack.replyTo(ours)).toContain('*Lock:* free');
    } finally {
      await b.bot.stop();
    }
  });

  test('when the bot cannot tell its workspace (auth.test fails, no SLACK_TEAM_ID) it refuses; SLACK_TEAM_ID makes it serve', async () => {
    slack.override('auth.test', () => ({ status: 200, body: { ok: false, error: 'invalid_auth' } }));
    try {
      const unknown = await botWithLog(slack);
      try {
        const key = randomUUID();
        await postSigned(unknown.url, slashCommandBody({ user: 'U0ANYONE', text: 'status', responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET });
        expect(await slack.replyTo(key)).toContain('the bot cannot tell which workspace it serves');
      } finally {
        await unknown.bot.stop();
      }
      const configured = await botWithLog(slack, { slackTeamId: 'T0TEAM' });
      try {
        const key = randomUUID();
        await postSigned(configured.url, slashCommandBody({ user: 'U0ANYONE', text: 'status', responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET });
        expect(await slack.replyTo(key)).toContain('*Lock:* free');
      } finally {
        await configured.bot.stop();
      }
    } finally {
      slack.override('auth.test', undefined);
    }
  });
});
