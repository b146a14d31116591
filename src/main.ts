import { startBot } from './bot';
import { readSettings, secretValues, SettingsError } from './config/settings';
import { stopOnSignals } from './lifecycle/stop-signals';
import { createLogger } from './log';
import { loadPlan, PlanError } from './plan/load-plan';
import { redactText, registerSecrets } from './redaction';

const log = createLogger();

/** `npm start`: read settings and plan, start the bot, stop on SIGTERM (Heroku) or SIGINT in every state. */
async function main(): Promise<void> {
  // Before anything that may wait on Redis or Slack: Ctrl-C works while starting too.
  const signals = stopOnSignals(log);
  let bot;
  try {
    const settings = readSettings();
    registerSecrets(secretValues(settings));
    const plan = loadPlan(settings.planPath, process.env);
    registerSecrets(plan.databases.flatMap((d) => [process.env[d.urlEnv], d.appUrlEnv ? process.env[d.appUrlEnv] : undefined]));
    registerSecrets(plan.hops.map((h) => (h.app?.webhookUrlEnv ? process.env[h.app.webhookUrlEnv] : undefined)));
    bot = await startBot({ settings, plan, log, databaseUrls: process.env });
  } catch (e) {
    if (e instanceof SettingsError || e instanceof PlanError) {
      // For the person at the terminal, as plain text and whatever LOG_LEVEL says.
      process.stderr.write(`cutover cannot start: ${redactText(e.message)}\n`);
      process.exit(2);
    }
    throw e;
  }
  signals.running(bot);
}

process.on('unhandledRejection', (e) => {
  log.error({ err: e }, 'unhandled rejection');
});

main().catch((e) => {
  log.fatal({ err: e }, 'cutover failed to start');
  process.exit(1);
});
