import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';
test('dump', () => {
  const dir = '/work/shared/corpus/krashpad';
  const files = readdirSync(dir).filter((f) => f.startsWith('dataset')).sort((a, b) => Number(a.slice(7, -4)) - Number(b.slice(7, -4)));
  const out: string[] = [];
  for (const f of files) {
    const lines = readFileSync(`${dir}/${f}`, 'utf8').split('\n');
    const kind = detectEvidence(lines.slice(0, 50), f);
    out.push(`== ${f} kind=${kind}`);
    if (kind === null) continue;
    const { evidence, problems } = parseEvidence(kind, f, lines);
    for (const fact of evidence.facts) out.push(`  ${fact.key}=${typeof fact.value === 'number' ? fact.value : JSON.stringify(fact.value).slice(0, 60)} @${fact.source.line}${'complete' in fact && fact.complete !== undefined ? ` complete=${fact.complete}` : ''}`);
    if (evidence.maps) out.push(`  maps: regions=${evidence.maps.regions} complete=${evidence.maps.complete} classes=${evidence.maps.classes.map((c) => c.class + ':' + c.count).join(',')}`);
    for (const p of problems) out.push(`  PROBLEM ${p.code} @${p.line} ${JSON.stringify(p.args)}`);
  }
  writeFileSync('/tmp/mmdump/out.txt', out.join('\n'));
});
