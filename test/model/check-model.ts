import { parseArgs } from 'node:util';
import { runHistories } from './run-histories';

/**
 * `npm run check:model -- --runs 10000 [--seed N] [--path P]`: plays generated histories against the
 * real control plane and prints how many ran, how many invariants broke, and the seed (and path) that replays a failure.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string' }, path: { type: 'string' } } });
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const report = await runHistories({ runs: Number(values.runs), seed, redisUrl, path: values.path });
  console.log(`histories: ${report.histories} · events: ${report.events} · port calls: ${report.portCalls} · violations: ${report.violations} · seed: ${report.seed} · ${report.seconds.toFixed(1)} s`);
  if (report.failure) {
    console.log(`replay: npm run check:model -- --runs ${values.runs} --seed ${report.seed} --path ${report.failure.path}`);
    for (const v of report.failure.violations) console.log(`  violated: ${v}`);
    console.log(`  history: ${JSON.stringify(report.failure.history)}`);
    process.exitCode = 1;
  }
}

// Executors stuck on calls the histories never released hold nothing but memory: leave without waiting for them.
main().then(
  () => process.exit(),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
