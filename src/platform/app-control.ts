import type { FormationEntry } from './heroku-api';
import { HerokuApi } from './heroku-api';

/** What a cutover does to the application: stop its writes, point it at a database, bring it back. */
export interface AppControl {
  /** The running formation of these process types: what to restore later. */
  formation(processTypes: string[]): Promise<FormationEntry[]>;
  /** Maintenance on and these process types scaled to 0. */
  stopWrites(processTypes: string[]): Promise<void>;
  startWrites(saved: FormationEntry[]): Promise<void>;
  /** Points the app's database variable at `url`; idempotent. */
  pointAt(configVar: string, url: string): Promise<string>;
}

/**
 * Heroku: maintenance mode, formation, config vars. A DATABASE_URL that an add-on attachment owns
 * cannot be overwritten: the add-on is attached again under another name (so the old database stays
 * reachable for a rollback) and the owning attachment removed before the variable is set.
 */
export function herokuAppControl(api: HerokuApi, app: string): AppControl {
  return {
    async formation(processTypes) {
      return (await api.formation()).filter((f) => processTypes.includes(f.type)).map((f) => ({ type: f.type, quantity: f.quantity, size: f.size }));
    },
    async stopWrites(processTypes) {
      await api.setMaintenance(true);
      await api.scale(processTypes.map((type) => ({ type, quantity: 0 })));
    },
    async startWrites(saved) {
      if (saved.length) await api.scale(saved.map((f) => ({ type: f.type, quantity: f.quantity })));
      await api.setMaintenance(false);
    },
    async pointAt(configVar, url) {
      const vars = await api.configVars();
      if (vars[configVar] === url) return `${configVar} already points at the target`;
      const attachmentName = configVar.replace(/_URL$/, '');
      const owner = (await api.attachments()).find((a) => a.name === attachmentName);
      let note = '';
      if (owner) {
        await api.attach(owner.addon.id, `CUTOVER_OLD_${attachmentName}`);
        await api.detach(owner.id);
        note = ` (add-on ${owner.addon.name} re-attached as CUTOVER_OLD_${attachmentName} first)`;
      }
      await api.setConfigVars({ [configVar]: url });
      return `${configVar} set on ${app}${note}`;
    },
  };
}
