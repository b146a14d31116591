import { startAuroraBot, type AuroraBot } from '../support/aurora-bot';
import type { BotHarness } from '../support/bot-harness';
import type { RdsStandIn } from '../support/rds-stand-in';

const line = (text: string, label: string) => text.split('\n').find((l) => l.includes(`*${label}:*`)) ?? `(no ${label} line)`;
const verdictLine = (text: string) => text.split('\n').find((l) => l.includes('*GO*') || l.includes('*NO-GO*')) ?? '(no verdict)';

describe("`/migrate health` shows the Aurora target's own health among the gates", () => {
  let bot: AuroraBot | undefined;
  let h: BotHarness;
  let rds: RdsStandIn;

  beforeAll(async () => {
    bot = await startAuroraBot({ planExtra: 'health: { cache_seconds: 0 }' });
    ({ h, rds } = bot);
  });
  afterAll(() => bot?.stop());

  test('backups on: the line is green; backups off: red, named in the NO-GO with its reason', async () => {
    let text = await h.command('U0ANYONE', 'health');
    expect(line(text, 'Automated backups')).toMatch(/^:large_green_circle: \*Automated backups:\* 7 days, restorable to /);
    expect(line(text, 'Cluster members')).toMatch(/prod-aurora-1 \(writer\) available, prod-aurora-2 available/);
    expect(verdictLine(text)).not.toContain('Automated backups');

    rds.clusters.get('prod-aurora')!.BackupRetentionPeriod = 0;
    text = await h.command('U0ANYONE', 'health');
    expect(line(text, 'Automated backups')).toMatch(/^:red_circle: \*Automated backups:\* OFF \(retention 0 days\) — no automated backups/);
    expect(verdictLine(text)).toMatch(/NO-GO.*Automated backups/);
  });
});
