// `npm run rules:prove`: runs recheck on every regex of the bundled pack and writes
// rules/linear-proofs.json: the patterns proved linear (they run on V8) and those recheck could
// not prove but found no attack on (they run on re2js). A vulnerable pattern fails the run.
// Patterns already in the file keep their entry; `--all` checks every pattern again.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulesDir, parseRuleText } from '../src/rules/load.js';
import { decidedEngines, proofKey, recheckOne, verdictOf } from '../src/rules/engine.js';

async function main(): Promise<number> {
  const dir = defaultRulesDir();
  const keys = new Map<string, { source: string; flags: string; where: string }>();
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    const file = join(dir, name);
    const { rule, errors } = await parseRuleText(file, readFileSync(file, 'utf8'));
    if (rule === undefined) {
      process.stderr.write(`${file}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}\n`);
      return 1;
    }
    const all = [...rule.match.all, ...rule.match.any, ...rule.match.none, ...rule.captures];
    for (const p of all) keys.set(proofKey(p.source, p.flags), { source: p.source, flags: p.flags, where: rule.id });
  }
  const v8: string[] = [];
  const re2: string[] = [];
  let bad = 0;
  const again = process.argv.includes('--all');
  const known = again ? new Map() : decidedEngines();
  for (const key of keys.keys()) {
    const engine = known.get(key);
    if (engine !== undefined) (engine === 'v8' ? v8 : re2).push(key);
  }
  const list = [...keys.entries()].filter(([key]) => !known.has(key));
  for (let i = 0; i < list.length; i += 4) {
    await Promise.all(
      list.slice(i, i + 4).map(async ([key, p]) => {
        const v = verdictOf(await recheckOne(p.source, p.flags, 60_000));
        if ('vulnerable' in v) {
          bad++;
          process.stderr.write(`${p.where}: /${p.source}/${p.flags}: ${v.vulnerable}\n`);
        } else (v.engine === 'v8' ? v8 : re2).push(key);
      }),
    );
  }
  const out = { note: 'written by npm run rules:prove (recheck); do not edit', v8: v8.sort(), re2: re2.sort() };
  writeFileSync(join(dir, 'linear-proofs.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${keys.size} patterns: ${v8.length} proved linear (V8), ${re2.length} on re2js, ${bad} vulnerable\n`);
  return bad > 0 ? 1 : 0;
}

process.exitCode = await main();
