import { WebClient } from '@slack/web-api';
import { botAuthorization, checkBotToken, retryDelayMs } from '../../src/slack/bot-authorization';
import { slackClientOptions } from '../../src/slack/slack-client-options';
import { createLogger } from '../../src/log';
import { eventually } from '../support/free-port';
import { SlackStandIn } from '../support/slack-stand-in';

const TOKEN = 'xoxb-startup-unit-token';

describe('auth.test at start: the token, or Slack', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  beforeEach(async () => {
    slack = await new SlackStandIn().start();
    client = new WebClient(TOKEN, slackClientOptions({ apiUrl: slack.apiUrl, retryConfig: { retries: 0 } }));
  });
  afterEach(() => slack.stop());

  test.each(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'])('%s: the token is rejected', async (error) => {
    slack.override('auth.test', () => ({ status: 200, body: { ok: false, error } }));
    expect(await checkBotToken(client)).toEqual({ kind: 'rejected', error });
  });

  test('an answer that is about Slack, not the token, is no answer: ratelimited, HTTP 500', async () => {
    slack.override('auth.test', () => ({ status: 200, body: { ok: false, error: 'ratelimited' } }));
    expect(await checkBotToken(client)).toEqual({ kind: 'unanswered', reason: 'Slack answered ratelimited' });
    slack.override('auth.test', () => ({ status: 500, body: 'oops' }));
    expect(await checkBotToken(client)).toEqual({ kind: 'unanswered', reason: 'Slack answered HTTP 500' });
  });

  test('a good token is confirmed with the bot ids', async () => {
    const check = await checkBotToken(client);
    expect(check).toMatchObject({ kind: 'confirmed', me: { user_id: 'U0BOT', bot_id: 'B0BOT' } });
  });

  test('the backoff doubles from 1 s and stops growing at its bound', () => {
    expect([0, 1, 2, 3, 6, 7, 20].map((n) => retryDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
    expect(retryDelayMs(5, 10_000)).toBe(10_000);
  });

  test('the background check retries until Slack answers, then fills in the bot ids; stopVerifying ends it', async () => {
    slack.override('auth.test', () => ({ status: 500, body: 'down' }));
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => void lines.push(l) });
    const auth = botAuthorization(client, TOKEN, { maxRetryDelayMs: 50 });
    const verified = auth.verify(log);
    await eventually(() => slack.callsOf('auth.test').length >= 3, 5_000, 'three tries');
    expect(await auth.authorize()).toEqual({ botToken: TOKEN });
    slack.override('auth.test', undefined);
    await verified;
    expect(await auth.authorize()).toMatchObject({ botUserId: 'U0BOT', botId: 'B0BOT' });
    expect(lines.join('')).toContain('Slack confirmed the bot token');

    // A check still retrying ends when the bot stops, without another try.
    slack.override('auth.test', () => ({ status: 500, body: 'down' }));
    const again = botAuthorization(client, TOKEN, { maxRetryDelayMs: 60_000 });
    const retrying = again.verify(log);
    const calls = slack.callsOf('auth.test').length;
    await eventually(() => slack.callsOf('auth.test').length > calls, 5_000, 'the first try');
    again.stopVerifying();
    await retrying;
    expect(slack.callsOf('auth.test').length).toBe(calls + 1);
  });

  test('a token rejected in the background is said once, with what to do, and not asked about again', async () => {
    slack.override('auth.test', () => ({ status: 200, body: { ok: false, error: 'token_revoked' } }));
    const lines: string[] = [];
    const auth = botAuthorization(client, TOKEN, { maxRetryDelayMs: 10 });
    await auth.verify(createLogger('info', { write: (l: string) => void lines.push(l) }));
    expect(slack.callsOf('auth.test')).toHaveLength(1);
    expect(lines.join('')).toContain('Slack rejected SLACK_BOT_TOKEN (auth.test: token_revoked)');
  });
});
