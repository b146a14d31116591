import { missingPrerequisites } from './preflight';
import { Rehearsal } from './world';

/**
 * `npm run rehearse`: the whole migration of the story, played on this machine, in a browser.
 * Ctrl-C stops every process and removes every cluster it started.
 */
async function main(): Promise<void> {
  const missing = missingPrerequisites();
  if (missing.length) {
    process.stderr.write(`The rehearsal needs:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exit(2);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const rehearsal = await Rehearsal.start({
    port: Number(process.env.REHEARSAL_PORT ?? 4000),
    fullLoadSeconds: Number(process.env.REHEARSAL_FULL_LOAD_SECONDS ?? 180),
    errorWatchMinutes: Number(process.env.REHEARSAL_ERROR_WATCH_MINUTES ?? 5),
    progress: say,
  }).catch((e: Error) => {
    process.stderr.write(`The rehearsal could not start: ${e.message}\n`);
    process.exit(1);
  });
  process.on('exit', () => rehearsal.stopNow());
  const pids = Object.entries(rehearsal.pids).map(([name, pid]) => `${name} pid ${pid}`).join(', ');
  say(`\nThe rehearsal is running. Open ${rehearsal.consoleUrl}\n(bot log and clusters in ${rehearsal.folder}; ${pids}; Ctrl-C stops everything)`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say('\nstopping the rehearsal…');
      rehearsal.stop().then(
        () => {
          say('stopped: no process or cluster left behind');
          process.exit(0);
        },
        (e: Error) => {
          process.stderr.write(`unclean stop: ${e.message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

void main();
