import { join } from 'node:path';
import { loadPlan, parsePlan, PlanError } from '../../src/plan/load-plan';

const example = join(__dirname, '../../examples/heroku-ec2-aurora.yml');
const env = { HEROKU_DATABASE_URL: 'postgres://a', EC2_DATABASE_URL: 'postgres://b', AURORA_DATABASE_URL: 'postgres://c' };

const minimal = (over: string) => `
name: demo
channel: C0CHAN
databases:
  a: { url_env: A_URL }
  b: { url_env: B_URL }
hops:
${over || '  - { id: one, method: physical, source: a, target: b }'}
access:
  operators: [U0OPS]
  approvers: [U0APP]
`;

function planError(text: string): string {
  try {
    parsePlan(text, 'plan.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return (e as Error).message;
  }
  throw new Error('expected the plan to be refused');
}

describe('the plan file', () => {
  test('the shipped example describes the two hops of the story', () => {
    const plan = loadPlan(example, env);
    expect(plan.hops.map((h) => [h.id, h.method, h.source.id, h.target.id])).toEqual([
      ['heroku-to-ec2', 'physical', 'heroku', 'ec2'],
      ['ec2-to-aurora', 'dms', 'ec2', 'aurora'],
    ]);
    expect(plan.hops[0].thresholds.maxLagSeconds).toBe(10);
    expect(plan.hops[1].thresholds.maxLagSeconds).toBe(30);
    expect(plan.access.approvalsRequired).toBe(2);
    expect(plan.access.approvalTtlMs).toBe(30 * 60_000);
  });

  test('defaults: two approvals, 30 minutes', () => {
    const plan = parsePlan(minimal(''));
    expect(plan.access).toMatchObject({ approvalsRequired: 2, approvalTtlMs: 30 * 60_000 });
  });

  test('a bad method names the field and the allowed values', () => {
    expect(planError(minimal('  - { id: one, method: teleport, source: a, target: b }'))).toMatch(/hops\[0\]\.method: .*"physical".*"logical".*"dms"/);
  });

  test('a database URL written in the plan is refused: only variable names belong there', () => {
    const text = minimal('').replace('url_env: A_URL', 'url_env: "postgres://user:pw@host/db"');
    const message = planError(text);
    expect(message).toMatch(/databases\.a\.url_env: must be the NAME of an environment variable/);
    expect(message).not.toContain('pw@host');
  });

  test('a hop naming an unknown database, a duplicate hop id, a dms hop without its task', () => {
    const message = planError(
      minimal(`  - { id: one, method: physical, source: a, target: nowhere }
  - { id: one, method: dms, source: a, target: b }`),
    );
    expect(message).toContain('hops[0].target: "nowhere" is not one of the plan\'s databases');
    expect(message).toContain('hops[1].id: "one" is used by two hops');
    expect(message).toContain('hops[1].dms: is required for a dms hop');
  });

  test('a misspelt field is named rather than ignored', () => {
    expect(planError(minimal('').replace('approvers:', 'aprovers:'))).toMatch(/access.*aprovers|Unrecognized key.*aprovers/);
  });

  test('invalid YAML says where', () => {
    expect(planError('name: [unclosed\n')).toMatch(/not valid YAML/);
  });

  test('a database variable missing from the environment is named at start-up', () => {
    expect(() => loadPlan(example, { HEROKU_DATABASE_URL: 'x', EC2_DATABASE_URL: 'y' })).toThrow(/databases\.aurora\.url_env: environment variable AURORA_DATABASE_URL is not set/);
  });
});
