import { randomUUID } from 'node:crypto';
import { startBot } from '../../src/bot';
import { createLogger } from '../../src/log';
import { testSettings } from '../support/bot-harness';
import { eventually, freePort } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { SlackStandIn, SocketModeStandIn } from '../support/slack-stand-in';
import { testPlan } from '../support/test-plan';

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  test('connects over the socket, answers /migrate through it, serves /healthz on PORT, and refuses another workspace', async () => {
    const slack = await new SlackStandIn().start();
    const socket = await new SocketModeStandIn().start(slack);
    const port = await freePort();
    const bot = await startBot({
      settings: { ...testSettings(slack, TEST_REDIS_URL), slackAppToken: 'xapp-test-app-token', port },
      plan: testPlan(),
      log: createLogger('silent'),
      slackRetryConfig: { retries: 0 },
    });
    try {
      await socket.connected();
      expect(slack.callsOf('apps.connections.open')).toHaveLength(1);
      const key = randomUUID();
      await socket.sendSlashCommand({
        command: '/migrate',
        text: 'status',
        user_id: 'U0ANYONE',
        channel_id: 'C0DBMIGRATE',
        team_id: 'T0TEAM',
        response_url: slack.responseUrl(key),
        trigger_id: 't',
      });
      expect(await slack.replyTo(key)).toContain('*Lock:* free');
      const health = await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => (r.status === 200 ? r : undefined)));
      expect(await health.json()).toMatchObject({ ok: true });

      // The same gate as over HTTP: another workspace is refused and acknowledged; a malformed command is acknowledged and runs nothing.
      const other = randomUUID();
      await socket.sendSlashCommand({ command: '/migrate', text: 'lock', user_id: 'U0OPS1', channel_id: 'C0DBMIGRATE', team_id: 'T0OTHER', response_url: slack.responseUrl(other), trigger_id: 't' });
      expect(await slack.replyTo(other)).toContain('This bot serves workspace *Example* (T0TEAM)');
      const malformed = randomUUID();
      await socket.sendSlashCommand({ command: '/migrate', text: 'lock', user_id: 'U0OPS1', team_id: 'T0TEAM', response_url: slack.responseUrl(malformed), trigger_id: 't' });
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.responsesTo(malformed)).toEqual([]);
      expect(await bot.cutover.lock.read()).toBeUndefined();
    } finally {
      await bot.stop();
      await socket.stop();
      await slack.stop();
    }
  });
});
