import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../support/free-port';

const ROOT = join(__dirname, '../..');

export interface RehearsalProcess {
  child: ChildProcess;
  url: string;
  folder: string;
  /** The bot's and Redis's process ids, as the rehearsal printed them. */
  pids: number[];
  exited: Promise<number | null>;
  output(): string;
}

/** `npm run rehearse` (rehearsal/main.ts) as its own process; resolves once it prints its URL. */
export async function startRehearsal(env: Record<string, string>): Promise<RehearsalProcess> {
  const child = spawnRehearsal(env);
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = eventually(() => /Open (http:\/\/\S+)/.exec(out), 180_000, 'the rehearsal to print its URL');
  const died = exited.then((code) => {
    throw new Error(`the rehearsal exited (code ${code}) before it was ready:\n${out}`);
  });
  const [, url] = await Promise.race([started, died]);
  const folder = /clusters in (\S+);/.exec(out)?.[1] ?? '';
  const pids = [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  return { child, url, folder, pids, exited, output: () => out };
}

export function spawnRehearsal(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'rehearsal/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
