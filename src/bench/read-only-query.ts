import { isReadOnlyStatement } from '../checks/read-only-statement';

// A bench query is a read an application makes: not SHOW, SET or a transaction command.
const QUERY_FIRST_WORD = /^[(\s]*(select|with|values|table)\b/i;

/**
 * Whether a bench query looks like one read, cheaply and up front (the plan refuses the rest). Not the
 * guarantee: a function that writes is only refused at run time, by the READ ONLY transaction.
 */
export function looksReadOnly(sql: string): boolean {
  const text = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .trim();
  return QUERY_FIRST_WORD.test(text) && isReadOnlyStatement(sql);
}
