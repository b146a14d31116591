import { grantStatements, hasGaps, privilegeGaps, readRolePrivileges, type PrivilegeGaps } from '../../checks/app-privileges';
import { withConnection } from '../../db/short-lived-connection';
import type { Hop } from '../../plan/plan';
import { appUrlFor } from '../app-url';
import type { PreviewDeps, Step } from './step';

const APPLICATION_NAME = 'cutover app-role check';
/** The GRANTs shown in a failure, so that the timeline's section keeps them whole. */
const SHOWN_CHARS = 2200;

/** Before the app is pointed at the target: its own role connects there and may do what it did on the source. */
export function appRoleStep(hop: Hop): Step {
  const targetVar = hop.target.appUrlEnv ?? '? (no app_url_env: refused)';
  const sourceVar = hop.source.appUrlEnv ?? '? (no app_url_env: refused)';
  return {
    id: 'app-role',
    title: "Check the app's role on the target",
    describe: () => [
      `connect to the target as the app (the URL in ${targetVar}) and to the source as the app (${sourceVar}), one short connection each, with the plan's database timeouts`,
      "on each, as the app's role: has_table_privilege(SELECT/INSERT/UPDATE/DELETE) on every table and has_sequence_privilege(USAGE) on every sequence of the user schemas",
      'stop, with the exact GRANTs to run, if the role lacks on the target anything it had on the source',
    ],
    async preview(d) {
      const gaps = await appRoleGaps(hop, d);
      return hasGaps(gaps) ? [gapMessage(gaps)] : [passed(gaps)];
    },
    async run(d) {
      const gaps = await appRoleGaps(hop, d);
      if (hasGaps(gaps)) throw new Error(gapMessage(gaps));
      return passed(gaps);
    },
  };
}

/** Reads both ends as the app's role, the target's first in what a failure says. */
async function appRoleGaps(hop: Hop, d: PreviewDeps): Promise<PrivilegeGaps> {
  const read = (side: 'source' | 'target') =>
    withConnection({ url: appUrlFor(hop, side, d), tls: (side === 'target' ? hop.target : hop.source).tls }, d.plan.databaseTimeouts, APPLICATION_NAME, (db) => readRolePrivileges(db, d.plan.heartbeat)).catch((e: Error) => {
      const db = side === 'target' ? hop.target : hop.source;
      throw new Error(`could not read the app's role on the ${side} (${db.id}, as ${db.appUrlEnv}): ${e.message}`);
    });
  const [target, source] = await Promise.allSettled([read('target'), read('source')]);
  if (target.status === 'rejected') throw target.reason;
  if (source.status === 'rejected') throw source.reason;
  return privilegeGaps(source.value, target.value);
}

function passed(g: PrivilegeGaps): string {
  return `the app's role ${g.role} connects to the target and has what it had on the source: ${g.needed.tables} tables, ${g.needed.sequences} sequences`;
}

/** The refusal: what is missing, and the GRANTs to run (as the objects' owner) before Resume. */
function gapMessage(g: PrivilegeGaps): string {
  const parts = [`the app's role ${g.role} lacks on the target what it had on the source (${g.tables.length} tables, ${g.sequences.length} sequences, ${g.schemas.length} schemas short); nothing was pointed at the target.`];
  if (g.absent.length) parts.push(`Not on the target at all, though the app used them on the source: ${g.absent.slice(0, 20).join(', ')}${g.absent.length > 20 ? ` and ${g.absent.length - 20} more` : ''}.`);
  const grants = grantStatements(g);
  if (grants.length) {
    const shown: string[] = [];
    let size = 0;
    for (const s of grants) {
      if (shown.length && size + s.length > SHOWN_CHARS) break;
      shown.push(s);
      size += s.length + 1;
    }
    const more = grants.length - shown.length;
    parts.push(`Run on the target as the owner, then Resume (or Abort):\n\`\`\`${shown.join('\n')}\`\`\`${more ? `\n…and ${more} more GRANTs of the same form` : ''}`);
  }
  return parts.join('\n');
}
