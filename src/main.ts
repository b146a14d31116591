import { startBot } from './bot';
import { readSettings, secretValues, SettingsError } from './config/settings';
import { createLogger } from './log';
import { loadPlan, PlanError } from './plan/load-plan';
import { registerSecrets } from './redaction';

/** `npm start`: read settings and plan, start the bot, stop cleanly on SIGTERM (Heroku) or SIGINT. */
async function main(): Promise<void> {
  const log = createLogger();
  let bot;
  try {
    const settings = readSettings();
    registerSecrets(secretValues(settings));
    const plan = loadPlan(settings.planPath, process.env);
    registerSecrets(plan.databases.map((d) => process.env[d.urlEnv]));
    registerSecrets(plan.hops.map((h) => (h.app?.webhookUrlEnv ? process.env[h.app.webhookUrlEnv] : undefined)));
    bot = await startBot({ settings, plan, log, databaseUrls: process.env });
  } catch (e) {
    if (e instanceof SettingsError || e instanceof PlanError) {
      console.error(`cutover cannot start: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'signal received');
      bot.stop().then(
        () => process.exit(0),
        (e) => {
          log.error({ err: e }, 'unclean stop');
          process.exit(1);
        },
      );
    });
  }
}

process.on('unhandledRejection', (e) => {
  console.error('unhandled rejection', e);
});

main().catch((e) => {
  console.error(`cutover failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
