// Statements that cannot change data, by their first word; anything else (BEGIN, COMMIT, DO, CALL, EXECUTE…) may write.
const READ_ONLY_FIRST_WORD = new Set(['select', 'with', 'show', 'explain', 'values', 'table', 'fetch', 'set', 'reset', 'discard', 'deallocate', 'rollback', 'abort', 'listen', 'unlisten', 'close']);
// A word that writes anywhere in a statement that starts read-only: a data-modifying CTE, SELECT … INTO, FOR UPDATE, nextval.
const WRITING_WORD = /\b(insert|update|delete|merge|truncate|copy|create|alter|drop|grant|revoke|into|nextval|setval|call)\b/i;

/**
 * Whether a statement (as pg_stat_activity shows it) only reads. Comments and string literals are
 * ignored; when in doubt it is not read-only, so an unknown statement counts as a writer. A
 * function called from a SELECT that writes is not seen here: its transaction id is.
 */
export function isReadOnlyStatement(sql: string): boolean {
  const text = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim();
  if (!text) return true;
  const first = /^[(\s]*([a-z_]+)/i.exec(text)?.[1]?.toLowerCase() ?? '';
  return READ_ONLY_FIRST_WORD.has(first) && !WRITING_WORD.test(text);
}
