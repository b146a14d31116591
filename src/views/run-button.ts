/**
 * What a cutover button (Abort, Resume, Roll back) is for: the hop, the run and the migration's
 * epoch when the button was drawn. A click is checked against the migration as it is then, so an
 * old button can never act on a newer run.
 */
export interface RunButton {
  hop: string;
  run: string;
  epoch: number;
}

export function runButtonValue(b: RunButton): string {
  return JSON.stringify(b);
}

/** The button's target, or undefined for a value that is not one (an old message's bare hop id, a forged payload). */
export function parseRunButton(value: string | undefined): RunButton | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<RunButton>;
    if (typeof v.hop === 'string' && typeof v.run === 'string' && typeof v.epoch === 'number') return { hop: v.hop, run: v.run, epoch: v.epoch };
  } catch {
    // not JSON: a button drawn before buttons named their run
  }
  return undefined;
}
