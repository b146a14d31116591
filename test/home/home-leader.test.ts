import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { APPROVERS, OPERATORS, testPlan } from '../support/test-plan';

/** The bot as it runs: the Home tab comes from the leader's scheduled job, not from a command. */
describe('App Home: the leader publishes it', () => {
  let bot: BotHarness;
  afterEach(async () => bot?.stop());

  test('two bot processes: the Home tab is published by the leader alone, once per person, and not again while nothing changes', async () => {
    const plan = testPlan();
    bot = await BotHarness.start({ plan: { ...plan, schedule: { ...plan.schedule, sample: '* * * * * *' } }, jobs: true, instances: 2, leaderTtlMs: 3_000 });
    bot.slack.usergroups.set('S0OPS', ['U0ONCALL']);
    bot.slack.usergroups.set('S0APPROVE', ['U0LEAD']);

    const everyone = [...new Set([...OPERATORS, ...APPROVERS, 'U0ONCALL', 'U0LEAD'])].sort();
    const first = await eventually(() => (bot.slack.callsOf('views.publish').length >= everyone.length ? bot.slack.callsOf('views.publish') : undefined), 15_000, 'a Home tab published to everyone');
    expect(first.map((c) => String(c.args.user_id)).sort()).toEqual(everyone);
    expect(String(first[0].args.view)).toContain(`Migration ${plan.name}`);

    // Three more ticks with nothing new: no further call.
    await new Promise((r) => setTimeout(r, 3_200));
    expect(bot.slack.callsOf('views.publish')).toHaveLength(everyone.length);
  }, 30_000);
});
