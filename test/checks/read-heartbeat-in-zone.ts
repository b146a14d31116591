// Run by heartbeat-time-zone.test.ts in a child process whose TZ is set: a jest sandbox cannot change its time zone.
import { Client } from 'pg';
import { readHeartbeat } from '../../src/checks/heartbeat';

async function main(): Promise<void> {
  const [url, schema, table, source] = process.argv.slice(2);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    process.stdout.write(JSON.stringify((await readHeartbeat(client, { schema, table }, source)) ?? null));
  } finally {
    await client.end();
  }
}

main().catch((e: Error) => {
  process.stderr.write(e.message);
  process.exit(1);
});
