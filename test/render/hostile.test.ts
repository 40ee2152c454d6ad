// Hostile log text: markup that would close the data block, Handlebars syntax and U+2028 in
// failing lines are shown as text in HTML and Markdown, and the embedded JSON round-trips.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { extractEmbeddedReport } from '../../src/render/embedded.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { HOSTILE, hostileKafkaLog, scanPaths } from './helpers.js';

let dir = '';
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mapmortem-hostile-'));
  writeFileSync(join(dir, 'server.log'), hostileKafkaLog());
  report = await scanPaths(['.'], dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile log text', () => {
  it('is found by the pipeline', () => {
    expect(report.incidents.length).toBe(1);
    const texts = report.incidents[0]?.findings.flatMap((f) => [f.text, ...f.recordLines.map((l) => l.text)]) ?? [];
    expect(texts.some((t) => t.includes(HOSTILE))).toBe(true);
    expect(texts.some((t) => t.includes('\u2028'))).toBe(true);
  });

  it('is escaped in the HTML and never becomes markup', () => {
    const html = renderHtml(report);
    expect(html).not.toContain('<img');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('{{constructor}}');
    expect(html).toContain('{{constructor}} \\u2028 ');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    const data = html.slice(html.indexOf('id="mapmortem-data">'), html.lastIndexOf('</script>'));
    expect(data).toContain('\\u003c/script\\u003e\\u003cimg');
    expect(data).toContain('\\u2028');
    expect(data).not.toContain('\u2028');
  });

  it('round-trips through the embedded JSON', () => {
    const back = extractEmbeddedReport(renderHtml(report));
    expect(back).toEqual(report);
    expect(JSON.stringify(back)).toContain(HOSTILE);
  });

  it('is escaped in the Markdown', () => {
    const md = renderMarkdown(report);
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    expect(prose).not.toMatch(/(?<!\\)<(?:img|\/script)/);
    expect(prose).toContain('\\</script\\>\\<img src=x onerror=alert(1)\\>');
    expect(md).not.toContain('\u2028');
    expect(md).toContain('```text\n');
    // every row of a table has as many cell separators as its header: log pipes are escaped
    const lines = md.split('\n');
    let header: number | undefined;
    for (const l of lines) {
      if (!l.startsWith('| ')) {
        header = undefined;
        continue;
      }
      const pipes = l.replace(/\\\|/g, '').split('|').length;
      header ??= pipes;
      expect(pipes, l).toBe(header);
    }
  });
});

describe('extractEmbeddedReport', () => {
  it('returns null for pages without (valid) data', () => {
    expect(extractEmbeddedReport('<html><body>hi</body></html>')).toBeNull();
    expect(extractEmbeddedReport('<script type="application/json" id="mapmortem-data">{bad</script>')).toBeNull();
    expect(extractEmbeddedReport('<script type="application/json" id="mapmortem-data">{"schemaVersion":2}</script>')).toBeNull();
  });
});
