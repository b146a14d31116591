import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { readStartConfig } from '../../src/config/start-config';

const root = join(__dirname, '../..');

describe('.env.example, copied to .env, is what the example plan needs', () => {
  test('every setting and every database variable the example plan names is there and well formed', () => {
    const env = parse(readFileSync(join(root, '.env.example')));
    // What `npm start` reads from the repository's directory.
    const { settings, plan } = readStartConfig({ ...env, MIGRATION_PLAN: join(root, env.MIGRATION_PLAN) });
    expect(settings.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(plan.databases.flatMap((d) => [d.urlEnv, d.appUrlEnv])).toEqual(expect.arrayContaining(Object.keys(env).filter((k) => k.endsWith('DATABASE_URL'))));
  });
});
