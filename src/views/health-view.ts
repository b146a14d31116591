import type { GoNoGo } from '../gates/gate-runner';
import type { Hop } from '../plan/plan';
import { checkLine } from './lag-view';
import { context, duration, header, section, slackTime, withinLimits, type MessageView } from './slack-text';

/** `/migrate health`: the verdict first, then every gate with its reason, its age and where to look. */
export function healthView(hop: Hop, r: GoNoGo): MessageView {
  const verdict = r.go
    ? `:white_check_mark: *GO* — every gate is ok for a cutover of *${hop.id}*.`
    : `:no_entry: *NO-GO* for *${hop.id}* — ${r.blocking.length} gate${r.blocking.length === 1 ? '' : 's'} not ok (unknown counts as not ok): ${r.blocking.map((b) => b.label).join(', ')}.`;
  const lines = r.results.map((c) => {
    const age = r.at - c.observedAt;
    const when = ` _(${age < 1000 ? 'just now' : `${duration(age)} old`})_`;
    return `${checkLine(c)}${c.link ? ` <${c.link}|source>` : ''}${when}`;
  });
  const blocks = [header(`Go / no-go: ${hop.id}`), section(verdict)];
  for (let i = 0; i < lines.length; i += 8) blocks.push(section(lines.slice(i, i + 8).join('\n')));
  blocks.push(context(`Checked ${slackTime(r.at)}`));
  return withinLimits({ text: `${r.go ? 'GO' : 'NO-GO'} for ${hop.id}`, blocks });
}
