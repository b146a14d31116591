// `npm run bench`: runs every benchmark and prints one table of figures, each with how it was measured.
import { benchAckLatency } from './ack-latency';
import { benchCutoverDowntime } from './cutover-downtime';
import { benchDmsSummary } from './dms-summary';
import { benchFullVerify } from './full-verify';
import { benchRowHashFloor } from './row-hash-floor';
import { benchSamplingRound, type Figure } from './sampling-round';
import { benchSequenceAudit } from './sequence-audit';
import { benchSequences10k } from './sequences-10k';

async function main(): Promise<void> {
  const figures: Figure[] = [];
  // `npm run bench -- full-verify`: only the full verify (minutes: it loads 2 × 20 million rows).
  if (process.argv[2] === 'full-verify') figures.push(...(await benchFullVerify()));
  // `npm run bench -- row-hash-floor`: what hashing every value costs one PostgreSQL backend, against count(*).
  else if (process.argv[2] === 'row-hash-floor') figures.push(...(await benchRowHashFloor()));
  else {
    figures.push(...(await benchSamplingRound()));
    figures.push(...benchDmsSummary());
    figures.push(...(await benchSequenceAudit()));
    figures.push(...(await benchSequences10k()));
    figures.push(...(await benchCutoverDowntime()));
    figures.push(...(await benchAckLatency()));
  }
  const w = Math.max(...figures.map((f) => f.name.length));
  const v = Math.max(...figures.map((f) => f.value.length));
  // Bolt and the SDKs may leave timers behind; the table is the output.
  console.log(`${'figure'.padEnd(w)} | ${'value'.padEnd(v)} | how it was measured`);
  console.log(`${'-'.repeat(w)}-|-${'-'.repeat(v)}-|-${'-'.repeat(20)}`);
  for (const f of figures) console.log(`${f.name.padEnd(w)} | ${f.value.padEnd(v)} | ${f.how}`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
