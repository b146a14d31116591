import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnBotProcess, untilHealthy } from '../support/bot-process';
import { eventually, freePort, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { SlackStandIn } from '../support/slack-stand-in';

interface BotProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<unknown>;
}

describe('two bot processes', () => {
  const folder = new ClusterFolder();
  let primary: PgCluster;
  let standby: PgCluster;
  let slack: SlackStandIn;
  const bots: BotProcess[] = [];

  const heartbeatSeq = async () => Number((await primary.sql<{ seq: string }>("SELECT seq FROM cutover_heartbeat WHERE source = 'source'", [], 'app'))[0]?.seq ?? 0);
  const runsJobs = async (b: BotProcess) => ((await (await fetch(`http://127.0.0.1:${b.port}/healthz`)).json()) as { runsJobs: boolean }).runsJobs;

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    const sourceUrl = await createPlainRole(primary);
    standby = await PgCluster.streamingStandby(primary);
    slack = await new SlackStandIn().start();
    const plan = join(folder.root, 'plan.yml');
    writeFileSync(
      plan,
      `name: t-${randomBytes(5).toString('hex')}
channel: C0DBMIGRATE
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: physical, source: source, target: target }]
access: { operators: [U0OPS1], approvers: [U0APP1] }
schedule: { heartbeat: '* * * * * *', sample: '* * * * * *', update: '0 0 0 1 1 *', leader_ttl_seconds: 2 }
`,
    );
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const { child, exited } = spawnBotProcess({ SLACK_API_URL: slack.apiUrl, PORT: String(port), MIGRATION_PLAN: plan, SOURCE_URL: sourceUrl, TARGET_URL: standby.url('app') });
      bots.push({ child, port, exited });
    }
    for (const b of bots) await untilHealthy(b.port);
    await primary.sql('CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)', [], 'app');
    await primary.sql('ALTER TABLE cutover_heartbeat OWNER TO cutover', [], 'app');
  });

  afterAll(async () => {
    for (const b of bots) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    await slack.stop();
    await standby.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  test('exactly one runs the jobs; when it is killed, the survivor takes over within the lease TTL', async () => {
    await eventually(async () => (await Promise.all(bots.map(runsJobs))).filter(Boolean).length === 1, 10_000, 'one leader');
    // One heartbeat a second from one process, not two.
    const start = await eventually(heartbeatSeq, 10_000, 'the first heartbeat');
    await sleep(5000);
    const perSecond = ((await heartbeatSeq()) - start) / 5;
    expect(perSecond).toBeGreaterThan(0.5);
    expect(perSecond).toBeLessThanOrEqual(1.3);

    const leader = (await runsJobs(bots[0])) ? bots[0] : bots[1];
    const survivor = leader === bots[0] ? bots[1] : bots[0];
    leader.child.kill('SIGKILL');
    await leader.exited;
    const killedAt = Date.now();
    await eventually(() => runsJobs(survivor), 10_000, 'the survivor to lead');
    const tookOverMs = Date.now() - killedAt;
    const resumed = await heartbeatSeq();
    await eventually(async () => (await heartbeatSeq()) >= resumed + 2, 5000, 'heartbeats from the survivor');
    // Lease TTL is 2 s, renewed every third of it.
    expect(tookOverMs).toBeLessThan(3500);
  });
});
