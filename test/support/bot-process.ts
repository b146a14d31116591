import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BOT_TOKEN, SIGNING_SECRET } from './bot-harness';
import { eventually } from './free-port';
import { TEST_REDIS_URL } from './redis';

const root = join(__dirname, '../..');

export interface BotProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything it printed (when started with `capture`). */
  output(): string;
}

/**
 * `src/main.ts` as its own process, as `npm start` runs it, with only the environment given
 * (PATH, the test Slack credentials and Redis, plus `env`), in `cwd` (default: the repository).
 */
export function spawnBotProcess(env: Record<string, string>, opts: { capture?: boolean; bare?: boolean; cwd?: string } = {}): BotProcess {
  const base = opts.bare ? {} : { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent' };
  // tsx by its full path: the working directory (where `.env` is read) may be anywhere.
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(root, 'src/main.ts')], {
    cwd: opts.cwd ?? root,
    env: { PATH: process.env.PATH ?? '', ...base, ...env },
    stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), output: () => out };
}

/** Waits until the process on `port` answers /healthz with 200. */
export async function untilHealthy(port: number, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, timeoutMs, `the bot on port ${port} to start`);
}
