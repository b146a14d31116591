// One full verify of the bench's clusters in a process of its own, so its peak RSS is the bot's:
// prints { ms, bytes, peakRss, verdicts } as JSON. Usage: tsx bench/full-verify-child.ts <source url> <target url> <label>
import Redis from 'ioredis';
import { createLogger } from '../src/log';
import { parsePlan } from '../src/plan/load-plan';
import { FullVerify } from '../src/verify/full/full-verify';
import { FullVerifyStore, fullVerifyKeys } from '../src/verify/full/full-verify-store';
import { openVerifyDatabase, type VerifyDatabase } from '../src/verify/full/verify-database';
import { TEST_REDIS_URL } from '../test/support/redis';

async function fullVerify(sourceUrl: string, targetUrl: string, redis: Redis, label: string): Promise<{ ms: number; bytes: number; peakRss: number; verdicts: unknown[] }> {
  const plan = parsePlan(`
name: bench-full-verify
channel: C0BENCH
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: bench, method: physical, source: source, target: target }]
access: { operators: [U0BENCH], approvers: [U0BENCH2] }
verify: { statement_timeout_ms: 600000 }
`);
  const urls: Record<string, string> = { source: sourceUrl, target: targetUrl };
  const opened: VerifyDatabase[] = [];
  const store = new FullVerifyStore(redis, fullVerifyKeys(`cutover:bench-full-verify:verify:${label}`));
  await redis.del(store.keys.run, store.keys.tables, store.keys.lease, store.keys.last);
  const job = new FullVerify({
    plan,
    store: () => store,
    channel: { post: async () => ({ channel: 'C0BENCH', ts: '1.0' }), update: async () => undefined, upload: async () => undefined },
    open: (id) => {
      const db = openVerifyDatabase(urls[id], { connectTimeoutMs: 3000, statementTimeoutMs: 600_000, connections: plan.verify.concurrency });
      opened.push(db);
      return db;
    },
    // The bench measures the comparison: no heartbeat wait (a fenced source).
    sourceFenced: async () => true,
    heartbeat: { write: async () => ({ seq: 0, at: 0 }), readOnTarget: async () => undefined },
    processId: 'bench',
    log: createLogger('silent'),
  });
    const t0 = performance.now();
  const answer = await job.start(plan.hops[0], 'U0BENCH');
  if (!answer.started) throw new Error(answer.why);
  for (;;) {
    const run = await store.run();
    if (run && run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  const bytes = opened.reduce((n, d) => n + d.bytesRead(), 0);
  const verdicts = [...(await store.finished()).values()];
  return { ms, bytes, peakRss: process.resourceUsage().maxRSS * 1024, verdicts };
}


const redis = new Redis(TEST_REDIS_URL);
fullVerify(process.argv[2], process.argv[3], redis, process.argv[4]).then(
  (r) => {
    console.log(JSON.stringify(r));
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
