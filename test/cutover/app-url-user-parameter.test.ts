import { parse } from 'pg-connection-string';
import { appUrlRefusal } from '../../src/cutover/app-url';
import type { Database } from '../../src/plan/plan';

const aurora: Database = { id: 'aurora', label: 'aurora', urlEnv: 'AURORA_URL', appUrlEnv: 'AURORA_APP_URL' };
const botUrl = 'postgres://cutover_bot:bot-pw@aurora.example:5432/app';

describe("the app is never given the bot's role, however the URL names it", () => {
  test.each([
    ['a user parameter after the app role', 'postgres://app_rw:app-pw@aurora.example:5432/app?user=cutover_bot'],
    ['a user parameter and no user name', 'postgres://aurora.example:5432/app?user=cutover_bot&password=bot-pw'],
  ])('%s: the driver logs in as the bot, and the URL is refused', (_, appUrl) => {
    // What the pg driver (and libpq) log in as: the parameter wins over the user name.
    expect(parse(appUrl).user).toBe('cutover_bot');
    expect(appUrlRefusal(aurora, 'target', appUrl, botUrl)).toMatch(/logs in as the bot's own role/);
  });

  test("the app's own role, even with other parameters, is fine", () => {
    expect(appUrlRefusal(aurora, 'target', 'postgres://app_rw:app-pw@aurora.example:5432/app?sslmode=require', botUrl)).toBeUndefined();
  });
});
