/** What the fence needs from a replication task's settings (DescribeReplicationTasks' ReplicationTaskSettings JSON). */
export interface DmsTaskSettings {
  /** TargetMetadata.BatchApplyEnabled: changes applied in batches, not one transaction at a time in commit order. */
  batchApply: boolean;
  /** ChangeProcessingTuning.BatchApplyTimeoutMin (seconds): how long DMS may hold a batch before applying it. */
  batchApplyTimeoutMinSeconds?: number;
}

/** Reads the settings JSON; a string says why it could not be read. */
export function parseTaskSettings(json: string | undefined): DmsTaskSettings | string {
  if (json === undefined || json === '') return 'DMS returned no task settings';
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    return `the task settings are not JSON (${(e as Error).message})`;
  }
  const s = parsed as { TargetMetadata?: { BatchApplyEnabled?: unknown }; ChangeProcessingTuning?: { BatchApplyTimeoutMin?: unknown } } | null;
  const batch = s?.TargetMetadata?.BatchApplyEnabled;
  // DMS's default is off; a value that is neither true nor false is not something to guess about.
  if (batch !== undefined && typeof batch !== 'boolean') return `TargetMetadata.BatchApplyEnabled is ${JSON.stringify(batch)}, not true or false`;
  const min = s?.ChangeProcessingTuning?.BatchApplyTimeoutMin;
  return { batchApply: batch === true, batchApplyTimeoutMinSeconds: typeof min === 'number' ? min : undefined };
}

/** "batch apply on" / "batch apply off", for the timeline and the dry-run. */
export function batchApplyText(s: DmsTaskSettings | string): string {
  if (typeof s === 'string') return `batch apply unknown (${s})`;
  return s.batchApply ? 'batch apply ON (BatchApplyEnabled: changes are applied in batches, not in commit order)' : 'batch apply off (commit order)';
}
