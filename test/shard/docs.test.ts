// docs/sharding.md's command lines use only flags the CLI has: every `mapmortem scan|report`
// in its shell blocks (and the README's sharding section) is checked against that command's --help.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

async function commands(file: string): Promise<string[]> {
  const text = await readFile(path.join(REPO, file), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) => [...b.matchAll(/mapmortem (scan|report)\b[^'"\n|&;]*/g)].map((m) => m[0]));
}

describe('docs/sharding.md', () => {
  it('every mapmortem command line in it uses flags the CLI has', async () => {
    const lines = [...(await commands('docs/sharding.md')), ...(await commands('README.md'))];
    expect(lines.filter((l) => l.includes('--shard')).length).toBeGreaterThan(3);
    const help = { scan: (await runCli(['scan', '--help'])).stdout, report: (await runCli(['report', '--help'])).stdout };
    for (const line of lines) {
      const cmd = line.split(' ')[1] as 'scan' | 'report';
      for (const flag of line.match(/(?<=\s)--?[a-z][a-z-]*/g) ?? []) expect(help[cmd], `${line}: ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}[\\s,]`, 'm'));
    }
  });
});
