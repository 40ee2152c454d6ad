// The Markdown ticket comment for every sample: the verdict line, tables with as many cells as
// their header, fenced commands, and no HTML outside code but the <details> folding.

import { describe, expect, it } from 'vitest';
import { renderMarkdown, mdCode, mdEscape } from '../../src/render/markdown.js';
import { expectedVerdict, sampleNames, scanSample } from './helpers.js';

describe.each(sampleNames())('markdown of %s', (name) => {
  it('states the verdict, the fix and the evidence without HTML', async () => {
    const r = await scanSample(name);
    const md = renderMarkdown(r);
    const cause = expectedVerdict(name) ?? '';
    expect(md.split('\n')[0]).toMatch(new RegExp(`^## mapmortem verdict: \`${cause}\``));
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    // the only HTML is the <details> folding GitHub and GitLab render
    const folded = prose.replace(/^<\/?details>$/gm, '').replace(/^<summary>[^<]*<\/summary>$/gm, '');
    expect(folded).not.toMatch(/(?<!\\)<[A-Za-z/!]/);
    expect((md.match(/^```/gm)?.length ?? 0) % 2).toBe(0);
    const inc = r.incidents[0];
    if (inc) {
      expect(md).toContain('**Decision trail**');
      const f = inc.findings[0];
      if (f) expect(md).toContain(`| \`${f.file}:${f.line}\` |`);
      const cmd = inc.remediation.steps.flatMap((s) => s.commands)[0];
      if (cmd) expect(md).toContain(`\`\`\`sh\n${cmd}\n`);
    }
    for (const i of r.inputs) expect(md).toContain(i.sha256);
  });
});

describe('escaping helpers', () => {
  it('escapes markdown punctuation and keeps backticks inside code', () => {
    expect(mdEscape('a|b `c` <d> *e*')).toBe('a\\|b \\`c\\` \\<d\\> \\*e\\*');
    expect(mdCode('x`y|z')).toBe('``x`y\\|z``');
    expect(mdCode('`start')).toBe('`` `start ``');
  });
});
