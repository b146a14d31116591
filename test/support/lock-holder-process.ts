// A bot-like process that takes the migration lock and renews it until it is killed.
// Usage: tsx lock-holder-process.ts <redisUrl> <planName> <ttlMs>
import { keysFor } from '../../src/state/keys';
import { MigrationLock } from '../../src/state/migration-lock';
import { connectStateStore, untilReady } from '../../src/state/state-store';

async function main(): Promise<void> {
  const [redisUrl, planName, ttl] = process.argv.slice(2);
  const redis = connectStateStore(redisUrl);
  await untilReady(redis);
  const lock = new MigrationLock(redis, keysFor(planName), `child-${process.pid}`, { ttlMs: Number(ttl), handoffMs: 60_000 });
  const out = await lock.acquire('U0CHILD', 'held by a child process');
  if (!out.acquired) throw new Error('lock was not free');
  lock.startRenewing();
  process.stdout.write(`HELD ${out.lock.fence}\n`);
  setInterval(() => undefined, 1000);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
