import { acknowledgeCommand } from './acknowledge';
import { benchCommand } from './bench';
import { cutoverCommand } from './cutover';
import { dmsCommand } from './dms';
import { healthCommand } from './health';
import { helpCommand } from './help';
import { historyCommand } from './history';
import { holdCommand } from './hold';
import { lagCommand } from './lag';
import { lockCommand } from './lock';
import { planCommand } from './plan';
import { preflightCommand } from './preflight';
import { reportCommand } from './report';
import { sequencesCommand } from './sequences';
import { setupCommand } from './setup';
import { statusCommand } from './status';
import type { Subcommand } from './subcommand';
import { unholdCommand } from './unhold';
import { unlockCommand } from './unlock';
import { verifyCommand } from './verify';

/** Every `/migrate` subcommand, in the order `help` lists them. */
export function allSubcommands(): Subcommand[] {
  const all: Subcommand[] = [];
  all.push(helpCommand(() => all), statusCommand, planCommand, healthCommand, preflightCommand, lagCommand, dmsCommand, sequencesCommand, verifyCommand, benchCommand, cutoverCommand, acknowledgeCommand, historyCommand, reportCommand, setupCommand, lockCommand, unlockCommand, holdCommand, unholdCommand);
  return all;
}
