import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import type { Plan } from '../../src/plan/plan';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** A one-hop plan whose `bench` block is `bench` (YAML, indented under `bench:`). */
export function benchPlan(bench: string): Plan {
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases:
  source: { url_env: SOURCE_URL, label: Source }
  target: { url_env: TARGET_URL, label: Target }
hops:
  - { id: hop-one, method: logical, source: source, target: target, subscription: sub }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
database_timeouts: { connect_timeout_ms: 1500, statement_timeout_ms: 2000 }
bench:
${bench}
`);
}
