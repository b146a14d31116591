import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import type { Plan } from '../../src/plan/plan';

export const OPERATORS = ['U0OPS1', 'U0OPS2'];
export const OPERATOR_GROUP = 'S0OPS';
export const APPROVERS = ['U0APP1', 'U0APP2', 'U0APP3', 'U0APP4', 'U0APP5', 'U0APP6', 'U0APP7', 'U0APP8', 'U0APP9', 'U0OPS1'];
export const APPROVER_GROUP = 'S0APPROVE';
export const CHANNEL = 'C0DBMIGRATE';

/** A plan like the story's, with a unique name so that tests never share Redis keys. */
export function testPlan(extra: { approvalsRequired?: number; approvalTtlMinutes?: number } = {}): Plan {
  const name = `t-${randomBytes(5).toString('hex')}`;
  return parsePlan(
    `
name: ${name}
channel: ${CHANNEL}
databases:
  heroku: { url_env: HEROKU_DATABASE_URL, app_url_env: HEROKU_APP_DATABASE_URL, label: Heroku }
  ec2: { url_env: EC2_DATABASE_URL, app_url_env: EC2_APP_DATABASE_URL, label: EC2 }
  aurora: { url_env: AURORA_DATABASE_URL, app_url_env: AURORA_APP_DATABASE_URL, label: Aurora }
hops:
  - { id: heroku-to-ec2, method: physical, source: heroku, target: ec2 }
  - id: ec2-to-aurora
    method: dms
    source: ec2
    target: aurora
    dms: { task: test-task, region: us-east-1 }
access:
  operators: [${[...OPERATORS, OPERATOR_GROUP].join(', ')}]
  approvers: [${[...APPROVERS, APPROVER_GROUP].join(', ')}]
  approvals_required: ${extra.approvalsRequired ?? 2}
  approval_ttl_minutes: ${extra.approvalTtlMinutes ?? 30}
`,
    'test plan',
  );
}
