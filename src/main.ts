import { WebClient } from '@slack/web-api';
import { startBot } from './bot';
import { readDotenv, DotenvError, type DotenvRead } from './config/dotenv-file';
import { readStartConfig, StartConfigError } from './config/start-config';
import { secretValues, type Settings } from './config/settings';
import { probeDatabases } from './lifecycle/start-up-probes';
import { stopOnSignals } from './lifecycle/stop-signals';
import { createLogger } from './log';
import type { Plan } from './plan/plan';
import { redactText, registerSecrets } from './redaction';
import { boltLogger } from './slack/bolt-logger';
import { checkBotToken, rejectedTokenMessage } from './slack/bot-authorization';
import { slackClientOptions } from './slack/slack-client-options';

/** For the person at the terminal, as plain text and whatever LOG_LEVEL says; then exit 2 (nothing was started). */
function cannotStart(message: string): never {
  process.stderr.write(`cutover cannot start: ${redactText(message)}\n`);
  process.exit(2);
}

// Before the logger: LOG_LEVEL may come from .env too.
let dotenv: DotenvRead | undefined;
try {
  dotenv = readDotenv(process.env);
} catch (e) {
  if (e instanceof DotenvError) cannotStart(e.message);
  throw e;
}
const log = createLogger();

/**
 * `npm start`: read `.env` (the environment wins), check every setting and the plan's database URLs
 * (all problems in one message), ask Slack about the token, try each database and Redis once, start
 * the bot, and stop on SIGTERM (Heroku) or SIGINT in every state.
 */
async function main(): Promise<void> {
  // Before anything that may wait on Redis, Slack or a database: Ctrl-C works while starting too.
  const signals = stopOnSignals(log);
  if (dotenv) log.info({ path: dotenv.path, variables: dotenv.applied }, `read ${dotenv.applied.length} variables from .env (the environment's own values win)`);
  let settings: Settings;
  let plan: Plan;
  try {
    ({ settings, plan } = readStartConfig(process.env));
  } catch (e) {
    if (e instanceof StartConfigError) cannotStart(e.message);
    throw e;
  }
  registerSecrets(secretValues(settings));
  registerSecrets(plan.databases.flatMap((d) => [process.env[d.urlEnv], d.appUrlEnv ? process.env[d.appUrlEnv] : undefined]));
  registerSecrets(plan.hops.flatMap((h) => [h.app?.webhookUrlEnv, h.app?.webhookSecretEnv].map((env) => (env ? process.env[env] : undefined))));

  // Side by side, each bounded: Slack's one try (5 s) and the databases' (the plan's timeouts).
  const [token] = await Promise.all([checkTokenAtStart(settings), probeDatabases(plan, process.env, plan.databaseTimeouts, log)]);
  if (token.kind === 'rejected') cannotStart(rejectedTokenMessage(token.error));
  if (token.kind === 'unanswered') log.warn({ reason: token.reason }, `Slack did not answer auth.test (${token.reason}): starting anyway; the token is checked again in the background until Slack answers`);

  const bot = await startBot({ settings, plan, log, databaseUrls: process.env });
  signals.running(bot);
}

/** One auth.test, no retry: a wrong token stops the start; a Slack that does not answer does not. */
function checkTokenAtStart(settings: Settings) {
  const client = new WebClient(settings.slackBotToken, { ...slackClientOptions({ apiUrl: settings.slackApiUrl, retryConfig: { retries: 0 } }), logger: boltLogger(log) });
  return checkBotToken(client);
}

process.on('unhandledRejection', (e) => {
  log.error({ err: e }, 'unhandled rejection');
});

main().catch((e) => {
  log.fatal({ err: e }, 'cutover failed to start');
  process.exit(1);
});
