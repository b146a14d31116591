import { appCalls } from './app-calls';
import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/** Step 2: maintenance on and the writing process types scaled to 0, the formation saved first. */
export function stopWritesStep(hop: Hop): Step {
  return {
    id: 'stop-writes',
    title: 'Stop the app: maintenance mode on, processes scaled to 0',
    describe: (d) => d.hop.app ? [`Heroku app ${d.hop.app.name}:`, ...appCalls(d.hop, 'stop')] : ['(no app in the plan)'],
    async run(d) {
      const types = hop.app?.processTypes ?? ['web'];
      // The formation to restore is saved before scaling, once: a rerun after an interruption must not save the zeros.
      if (!d.run().savedFormation) {
        const current = await d.app.formation(types);
        await d.note((r) => ({ ...r, savedFormation: r.savedFormation ?? current }));
      }
      await d.app.stopWrites(types);
      await d.note((r) => ({ ...r, writesStoppedAt: r.writesStoppedAt ?? Date.now() }));
      const saved = d.run().savedFormation ?? [];
      return `maintenance on; ${saved.map((f) => `${f.type} ${f.quantity} → 0`).join(', ') || 'no processes to scale'}`;
    },
    async undo(d) {
      await d.app.startWrites(d.run().savedFormation ?? []);
      return 'app back on the source: maintenance off, formation restored';
    },
  };
}
