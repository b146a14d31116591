import { parsePlan } from '../../src/plan/load-plan';
import type { Thresholds } from '../../src/plan/plan';

// Plan-wide values that differ from every built-in default, so an inherited value cannot be a default by accident.
const planWide = { max_lag_seconds: 5, max_lag_bytes: 1024 * 1024, lag_grace_seconds: 7, max_cdc_latency_seconds: 11 };
const hopValue = { max_lag_seconds: 9, max_lag_bytes: 2 * 1024 * 1024, lag_grace_seconds: 13, max_cdc_latency_seconds: 17 };
const camel: Record<keyof typeof planWide, string> = {
  max_lag_seconds: 'maxLagSeconds',
  max_lag_bytes: 'maxLagBytes',
  lag_grace_seconds: 'lagGraceSeconds',
  max_cdc_latency_seconds: 'maxCdcLatencySeconds',
};
const fields = Object.keys(planWide) as (keyof typeof planWide)[];
const valueOf = (t: Thresholds, field: keyof typeof planWide) => (t as unknown as Record<string, number>)[camel[field]];

const plan = (hopThresholds: string) =>
  parsePlan(`
name: demo
channel: C0CHAN
databases: { a: { url_env: A_URL }, b: { url_env: B_URL } }
hops:
  - { id: one, method: physical, source: a, target: b${hopThresholds ? `, thresholds: ${hopThresholds}` : ''} }
thresholds: ${JSON.stringify(planWide)}
alerts: { heartbeat_stall_seconds: 45 }
access: { operators: [U0OPS], approvers: [U0APP] }
`);

describe("finding 5: a hop's thresholds inherit the plan's, never the built-in defaults", () => {
  test.each(fields)('a hop setting only %s gets the plan-wide value of every other field', (field) => {
    const t = plan(`{ ${field}: ${hopValue[field]} }`).hops[0].thresholds;
    expect(valueOf(t, field)).toBe(hopValue[field]);
    for (const other of fields.filter((f) => f !== field)) expect([other, valueOf(t, other)]).toEqual([other, planWide[other]]);
  });

  test("the issue's case: a plan-wide 1 MiB stays 1 MiB on a hop that sets only max_lag_seconds (not the 64 MiB default)", () => {
    const p = parsePlan(`
name: demo
channel: C0CHAN
databases: { a: { url_env: A_URL }, b: { url_env: B_URL } }
hops: [{ id: one, method: physical, source: a, target: b, thresholds: { max_lag_seconds: 10 } }]
thresholds: { max_lag_seconds: 30, max_lag_bytes: 1048576, lag_grace_seconds: 20 }
access: { operators: [U0OPS], approvers: [U0APP] }
`);
    expect(p.hops[0].thresholds).toMatchObject({ maxLagSeconds: 10, maxLagBytes: 1048576, lagGraceSeconds: 20 });
  });

  test('a hop with no thresholds gets every plan-wide value, and the plan-wide heartbeat stall limit', () => {
    expect(plan('').hops[0].thresholds).toEqual({ maxLagSeconds: 5, maxLagBytes: 1024 * 1024, lagGraceSeconds: 7, maxCdcLatencySeconds: 11, heartbeatStallSeconds: 45 });
  });

  test('a plan without thresholds gets the built-in defaults, CDC latency 60 s among them', () => {
    const p = parsePlan(`
name: demo
channel: C0CHAN
databases: { a: { url_env: A_URL }, b: { url_env: B_URL } }
hops: [{ id: one, method: physical, source: a, target: b, thresholds: { lag_grace_seconds: 0 } }]
access: { operators: [U0OPS], approvers: [U0APP] }
`);
    expect(p.hops[0].thresholds).toEqual({ maxLagSeconds: 30, maxLagBytes: 64 * 1024 * 1024, lagGraceSeconds: 0, maxCdcLatencySeconds: 60, heartbeatStallSeconds: 60 });
  });

  test('a hop threshold is checked like the plan-wide one: a typo or a bad value is refused', () => {
    expect(() => plan('{ max_lag_secs: 3 }')).toThrow(/hops\[0\]\.thresholds: .*max_lag_secs/);
    expect(() => plan('{ max_cdc_latency_seconds: 0 }')).toThrow(/hops\[0\]\.thresholds\.max_cdc_latency_seconds/);
  });
});
