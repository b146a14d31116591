import { randomUUID } from 'node:crypto';
import { startBot } from '../../src/bot';
import { createLogger } from '../../src/log';
import { testSettings } from '../support/bot-harness';
import { eventually, freePort } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { SlackStandIn, SocketModeStandIn } from '../support/slack-stand-in';
import { testPlan } from '../support/test-plan';
import { parseExposition, scrape, valueOf } from './exposition';

describe('/metrics in Socket Mode: served on PORT beside /healthz, behind the same token', () => {
  test('401 without the token, 200 with it, and the command Slack sent over the socket is counted', async () => {
    const slack = await new SlackStandIn().start();
    const socket = await new SocketModeStandIn().start(slack);
    const port = await freePort();
    const token = 'socket-metrics-token-77';
    const bot = await startBot({
      settings: { ...testSettings(slack, TEST_REDIS_URL), slackAppToken: 'xapp-test-app-token', port, metricsToken: token },
      plan: testPlan(),
      log: createLogger('silent'),
      slackRetryConfig: { retries: 0 },
    });
    try {
      await socket.connected();
      const key = randomUUID();
      await socket.sendSlashCommand({ command: '/migrate', text: 'status', user_id: 'U0ANYONE', channel_id: 'C0DBMIGRATE', team_id: 'T0TEAM', response_url: slack.responseUrl(key), trigger_id: 't' });
      expect(await slack.replyTo(key)).toContain('*Lock:* free');
      const base = `http://127.0.0.1:${port}`;
      const refused = await eventually(() => scrape(base).then((r) => (r.status === 401 ? r : undefined)));
      expect(refused.text).not.toContain('cutover_');
      const ok = await scrape(base, token);
      expect(ok.status).toBe(200);
      expect(ok.contentType).toMatch(/^text\/plain/);
      const m = parseExposition(ok.text);
      expect(valueOf(m, 'cutover_commands_total', { subcommand: 'status', outcome: 'ok' })).toBe(1);
      expect(valueOf(m, 'cutover_lock_held')).toBe(0);
      expect(valueOf(m, 'cutover_lock_held_seconds')).toBe(0);
    } finally {
      await bot.stop();
      await socket.stop();
      await slack.stop();
    }
  });
});
