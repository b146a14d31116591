import { appCalls } from './app-calls';
import type { Step } from './step';

/** Maintenance off and the saved formation restored: the downtime ends. */
export function appBackStep(): Step {
  return {
    id: 'app-back',
    title: 'App back: maintenance off, formation restored',
    describe: (d) => (d.hop.app ? appCalls(d.hop, 'start') : []),
    async run(d) {
      await d.app.startWrites(d.run().savedFormation ?? []);
      await d.note((r) => ({ ...r, appBackAt: r.appBackAt ?? Date.now() }));
      return `maintenance off; ${(d.run().savedFormation ?? []).map((f) => `${f.type} → ${f.quantity}`).join(', ')}`;
    },
  };
}
