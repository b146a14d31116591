import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookAppControl } from '../../src/platform/webhook-app-control';
import { parsePlan } from '../../src/plan/load-plan';
import { PlanError } from '../../src/plan/load-plan';

describe('the app webhook, for platforms other than Heroku', () => {
  test('formation, stop-writes, point-at and start-writes are POSTed as JSON; a failing webhook fails the step', async () => {
    const seen: Record<string, unknown>[] = [];
    let fail = false;
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        seen.push(body);
        res.writeHead(fail ? 500 : 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body.action === 'formation' ? { formation: [{ type: 'web', quantity: 4 }] } : { ok: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const app = webhookAppControl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/db?token=s3cret`);
    try {
      expect(await app.formation(['web'])).toEqual([{ type: 'web', quantity: 4 }]);
      await app.stopWrites(['web']);
      expect(await app.pointAt('DATABASE_URL', 'postgres://target/app')).toContain('DATABASE_URL');
      await app.startWrites([{ type: 'web', quantity: 4 }]);
      expect(seen.map((b) => b.action)).toEqual(['formation', 'stop-writes', 'point-at', 'start-writes']);
      expect(seen[2]).toMatchObject({ config_var: 'DATABASE_URL', database_url: 'postgres://target/app' });
      expect(seen[3]).toMatchObject({ formation: [{ type: 'web', quantity: 4 }] });
      fail = true;
      await expect(app.stopWrites(['web'])).rejects.toThrow(/HTTP 500/);
    } finally {
      server.close();
    }
  });

  test('a webhook app in the plan needs its URL variable; a Heroku app needs its name', () => {
    const plan = (app: string) => `name: x\nchannel: C0X\ndatabases: { a: { url_env: A }, b: { url_env: B } }\nhops: [{ id: h, method: physical, source: a, target: b, app: ${app} }]\naccess: { operators: [U0A], approvers: [U0B] }\n`;
    expect(() => parsePlan(plan('{ platform: webhook }'))).toThrow(/hops\[0\]\.app\.webhook_url_env: is required for the webhook platform/);
    expect(() => parsePlan(plan('{ platform: heroku }'))).toThrow(PlanError);
    expect(parsePlan(plan('{ platform: webhook, webhook_url_env: APP_HOOK }')).hops[0].app).toMatchObject({ platform: 'webhook', webhookUrlEnv: 'APP_HOOK' });
  });
});
