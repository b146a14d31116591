import type { CdcLatency } from '../../src/dms/cdc-latency';
import { waitForDmsToSettle, type DmsFencePort } from '../../src/dms/dms-fence';
import type { DmsTableStat, DmsTask } from '../../src/dms/dms-port';

const task: DmsTask = { arn: 'arn:task', id: 'ec2toaurora', status: 'running', migrationType: 'full-load-and-cdc', settings: '{"TargetMetadata":{"BatchApplyEnabled":false}}' };

function table(name: string, over: Partial<DmsTableStat> = {}): DmsTableStat {
  return { schema: 'public', table: name, state: 'Table completed', fullLoadRows: 1000, inserts: 10, updates: 5, deletes: 1, fullLoadErrorRows: 0, validationFailed: 0, validationPending: 0, validationSuspended: 0, ...over };
}

/** A port whose statistics are the same on every read unless `rows` says otherwise. */
function port(rows: () => DmsTableStat[], latency: () => CdcLatency | string | undefined = () => undefined): DmsFencePort {
  return { look: async () => ({ task, rows: rows() }), cdcLatency: async () => latency() };
}

const rules = (over: { cloudwatch?: boolean } = {}) => ({ deadline: Date.now() + 2000, cloudwatch: over.cloudwatch ?? false, maxCdcLatencySeconds: 30, settleMs: 10, sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) });

describe('the DMS fence does not settle on what its counters cannot see', () => {
  test('a table still in full load (a reload, or a table added to the task) is not on the target yet: not settled', async () => {
    // CDC counters stand still while the full load of public.invoices copies rows: they say nothing about it.
    const outcome = await waitForDmsToSettle(port(() => [table('orders'), table('invoices', { state: 'Table is being reloaded', fullLoadRows: 0, inserts: 0, updates: 0, deletes: 0 })]), rules());
    expect(outcome.settled).toBe(false);
    if (!outcome.settled) expect(outcome.why).toMatch(/public\.invoices/);
  });

  test('full-load rows that keep moving are movement, as inserts are', async () => {
    let n = 0;
    const outcome = await waitForDmsToSettle(port(() => [table('orders', { fullLoadRows: 1000 + n++ })]), rules());
    expect(outcome.settled).toBe(false);
  });

  test("a CloudWatch point from minutes before (the newest of the last 15 minutes) is not today's latency", async () => {
    const stale: CdcLatency = { sourceSeconds: 1, targetSeconds: 1, at: Date.now() - 12 * 60_000 };
    const outcome = await waitForDmsToSettle(port(() => [table('orders')], () => stale), rules({ cloudwatch: true }));
    expect(outcome.settled).toBe(false);
    if (!outcome.settled) expect(outcome.why).toMatch(/CDC latency unknown: .*12 min/);
  });

  test('a recent point within the threshold, every table completed and still: settled (the checks can pass)', async () => {
    const fresh: CdcLatency = { sourceSeconds: 1, targetSeconds: 2, at: Date.now() - 60_000 };
    const outcome = await waitForDmsToSettle(port(() => [table('orders'), table('invoices')], () => fresh), rules({ cloudwatch: true }));
    expect(outcome).toMatchObject({ settled: true });
  });
});
