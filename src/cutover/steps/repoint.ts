import { appCalls } from './app-calls';
import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/** Points the app's database variable at the target. */
export function repointStep(hop: Hop): Step {
  const configVar = hop.app?.configVar ?? 'DATABASE_URL';
  return {
    id: 'repoint',
    title: 'Point the app at the target',
    describe: (d) => (d.hop.app ? appCalls(d.hop, 'point') : []),
    run: (d) => d.app.pointAt(configVar, d.targetUrl),
    async undo(d) {
      return `back to the source: ${await d.app.pointAt(configVar, d.sourceUrl)}`;
    },
  };
}
