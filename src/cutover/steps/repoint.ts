import { appCalls } from './app-calls';
import { appUrlFor, appUrlRefusal } from '../app-url';
import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/** Points the app's database variable at the target's app URL (app_url_env), never the bot's own. */
export function repointStep(hop: Hop): Step {
  const configVar = hop.app?.configVar ?? 'DATABASE_URL';
  return {
    id: 'repoint',
    title: 'Point the app at the target',
    describe: (d) => (d.hop.app ? appCalls(d.hop, 'point') : []),
    async preview(d) {
      const refusal = appUrlRefusal(hop.target, 'target', d.targetAppUrl, d.targetUrl);
      if (refusal) return [`refused: ${refusal}`];
      return [`${configVar} gets ${hop.target.appUrlEnv} (the app's own role), not ${hop.target.urlEnv} (the bot's); a roll back gives it ${hop.source.appUrlEnv ?? '(no app_url_env)'} again`];
    },
    run: (d) => d.app.pointAt(configVar, appUrlFor(hop, 'target', d)),
    async undo(d) {
      return `back to the source: ${await d.app.pointAt(configVar, appUrlFor(hop, 'source', d))}`;
    },
  };
}
