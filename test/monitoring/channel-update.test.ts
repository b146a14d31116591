import type { LagSample } from '../../src/checks/lag-sample';
import { BotHarness } from '../support/bot-harness';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';
import { parsePlan } from '../../src/plan/load-plan';

function sample(hop: string, lag: number | null, at = Date.now()): LagSample {
  return {
    hop, at, source: { ok: true, ms: 2 }, target: { ok: lag !== null, ms: 3, error: lag === null ? 'connect ECONNREFUSED' : undefined },
    heartbeatLagSeconds: lag, sourceClock: at, sourceHeartbeat: { seq: 10, at }, targetHeartbeat: lag === null ? null : { seq: 9, at: at - lag * 1000 },
    byteLag: lag === null ? null : 4096, receiveBacklogBytes: null, replayBacklogBytes: null,
    standby: lag === null ? null : { inRecovery: true, receiveLsn: '0/100', replayLsn: '0/100', replayPaused: false, lastReplayAt: at, feed: 'streaming' },
    sourceReplicas: 'hidden', sourceArchiver: null, targetReplicas: null, targetArchiver: null,
  };
}

describe('the periodic channel update', () => {
  test('post mode: one concise message per period, with the lag and its trend', async () => {
    const h = await BotHarness.start({ plan: replicationPlan() });
    try {
      const { samples, monitor } = h.bots[0].cutover;
      for (const lag of [1, 2, 1.5]) await samples.add(sample('hop-one', lag));
      await monitor.postUpdate();
      await monitor.postUpdate();
      const posts = h.slack.callsOf('chat.postMessage');
      expect(posts).toHaveLength(2);
      const text = messageText(posts[0].args);
      expect(text).toContain('*hop-one* lag 1.5 s · 4.0 KiB WAL behind');
      expect(text).toContain('all lag checks ok');
      expect(text).toMatch(/min 1\.0 s, max 2\.0 s/);
      expect((posts[0].args.blocks as unknown[]).length).toBeLessThanOrEqual(3);
    } finally {
      await h.stop();
    }
  });

  test('edit mode: the same message is edited in place; an unknown lag says unknown', async () => {
    const base = replicationPlan();
    const plan = parsePlan(
      `name: ${base.name}-edit\nchannel: C0DBMIGRATE\ndatabases: { source: { url_env: S }, target: { url_env: T } }\nhops: [{ id: hop-one, method: physical, source: source, target: target }]\naccess: { operators: [U0OPS1], approvers: [U0APP1] }\nschedule: { update_mode: edit }\n`,
    );
    const h = await BotHarness.start({ plan });
    try {
      const { samples, monitor } = h.bots[0].cutover;
      await samples.add(sample('hop-one', 1));
      await monitor.postUpdate();
      await samples.add(sample('hop-one', null));
      await monitor.postUpdate();
      expect(h.slack.callsOf('chat.postMessage')).toHaveLength(1);
      const edits = h.slack.callsOf('chat.update');
      expect(edits).toHaveLength(1);
      expect(edits[0].args.ts).toBe(h.slack.callsOf('chat.postMessage')[0].result?.ts);
      expect(messageText(edits[0].args)).toContain('lag *unknown*');
    } finally {
      await h.stop();
    }
  });
});
