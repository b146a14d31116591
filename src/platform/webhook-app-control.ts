import { requestJson } from '../health/http-json';
import type { AppControl } from './app-control';
import type { FormationEntry } from './heroku-api';

/**
 * For platforms other than Heroku: each action is a POST of JSON to the team's own webhook, which
 * answers 2xx with JSON (`{"formation": [...]}` for "formation"). The URL comes from an environment
 * variable, so a token in it never reaches the plan.
 */
export function webhookAppControl(url: string, timeoutMs = 30_000): AppControl {
  const post = <T>(body: Record<string, unknown>) => requestJson<T>({ method: 'POST', url, body, headers: { 'Content-Type': 'application/json' }, timeoutMs });
  return {
    async formation(processTypes) {
      const out = await post<{ formation?: FormationEntry[] }>({ action: 'formation', process_types: processTypes });
      if (!Array.isArray(out.formation)) throw new Error('the app webhook answered "formation" without a formation list');
      return out.formation;
    },
    async stopWrites(processTypes) {
      await post({ action: 'stop-writes', process_types: processTypes });
    },
    async startWrites(saved) {
      await post({ action: 'start-writes', formation: saved });
    },
    async pointAt(configVar, databaseUrl) {
      await post({ action: 'point-at', config_var: configVar, database_url: databaseUrl });
      return `${configVar} pointed through the app webhook`;
    },
  };
}
