// docs/verdicts.md and src/diagnose/policy.ts stay in step: every policy constant is in the
// page's constants table with its value, every row names a real constant, and the decision
// tables name every cause of the vocabulary.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/core/index.js';
import * as policy from '../../src/diagnose/policy.js';
import { REPO } from '../helpers/cli.js';

const doc = readFileSync(join(REPO, 'docs', 'verdicts.md'), 'utf8');
const rows = new Map([...doc.matchAll(/^\| `([A-Z][A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));

describe('docs/verdicts.md', () => {
  const numeric = Object.entries(policy).filter(([, v]) => typeof v === 'number') as [string, number][];
  it.each(numeric)('lists %s with its value', (name, value) => {
    expect(rows.get(name)).toBe(String(value));
  });

  it('names only constants that exist, and each one where the tables use it', () => {
    for (const name of rows.keys()) expect(policy, name).toHaveProperty(name);
    const tables = doc.slice(0, doc.indexOf('## Constants'));
    for (const [name] of numeric) expect(tables, name).toContain(`\`${name}\``);
  });

  it('covers every cause of the vocabulary', () => {
    for (const c of CAUSES) expect(doc).toContain(`\`${c}\``);
  });
});
