import type { LagSample } from '../../src/checks/lag-sample';
import { BotHarness } from '../support/bot-harness';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';

const MiB = 1024 * 1024;
const lsn = (bytes: number) => `${Math.floor(bytes / 2 ** 32).toString(16).toUpperCase()}/${(bytes % 2 ** 32).toString(16).toUpperCase()}`;

/** What takeLagSample stores for a streaming standby with the source at `source` and replay at `replay` (bytes). */
function recorded(at: number, source: number, replay: number): LagSample {
  return {
    hop: 'hop-one', at, source: { ok: true, ms: 3 }, target: { ok: true, ms: 5 },
    heartbeatLagSeconds: 40, sourceClock: at, sourceHeartbeat: { seq: 90, at: at - 1000 }, targetHeartbeat: { seq: 50, at: at - 40_000 },
    byteLag: source - replay, receiveBacklogBytes: 0, replayBacklogBytes: source - replay, sourceLsn: lsn(source),
    standby: { inRecovery: true, receiveLsn: lsn(source), replayLsn: lsn(replay), replayPaused: false, lastReplayAt: at - 40_000, feed: 'streaming' },
    sourceReplicas: [{ name: 'standby', state: 'streaming', replayLsn: lsn(replay) }], sourceArchiver: null, targetReplicas: null, targetArchiver: null,
  };
}

describe('the catch-up ETA through the bot', () => {
  test('/migrate lag, /migrate status and the channel update say when the standby will be caught up, from the samples in Redis', async () => {
    // Nothing listens on port 1: the live sample cannot tell, and the stored samples carry the estimate.
    const h = await BotHarness.start({ plan: replicationPlan(), databaseUrls: { SOURCE_URL: 'postgres://app:pw@127.0.0.1:1/app', TARGET_URL: 'postgres://app:pw@127.0.0.1:1/app' } });
    try {
      const { samples, monitor } = h.bots[0].cutover;
      const now = Date.now();
      // 20 min every 15 s: 10 GiB behind, source writes 20 MiB/min, standby replays 120 MiB/min.
      const start = 0x2a_0000_0000;
      for (let i = 0; i <= 80; i++) {
        const minutes = i / 4;
        await samples.add(recorded(now - (80 - i) * 15_000, start + 10 * 1024 * MiB + 20 * MiB * minutes, start + 120 * MiB * minutes));
      }
      // Backlog now 10 GiB − 2000 MiB = 8240 MiB, closing at 100 MiB/min: 82.4 min.
      const eta = '*Catch-up:* caught up in about 1 h 22 min (the source writes 20.0 MiB/min, the standby replays 120.0 MiB/min; 8.0 GiB behind)';
      expect(await h.command('U0ANYONE', 'lag')).toContain(eta);
      expect(await h.command('U0ANYONE', 'status')).toContain(eta);
      await monitor.postUpdate();
      expect(messageText(h.slack.callsOf('chat.postMessage').at(-1)!.args)).toContain(eta);
    } finally {
      await h.stop();
    }
  }, 30_000);
});
