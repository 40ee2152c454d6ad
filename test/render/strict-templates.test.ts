// The HTML templates are compiled in Handlebars strict mode: a field a template names that the
// view model lacks fails the render (and so a test) instead of rendering as nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml, templatesDir } from '../../src/render/html.js';
import { scanSample } from './helpers.js';

describe('strict templates', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-templates-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('a template naming a field the view model lacks throws, naming the field', async () => {
    const good = path.join(base, 'good');
    const bad = path.join(base, 'bad');
    cpSync(templatesDir(), good, { recursive: true });
    cpSync(templatesDir(), bad, { recursive: true });
    const report = await scanSample('cortex-ingester-crashloop');
    expect(renderHtml(report, { templatesDir: good })).toContain('<!doctype html>');
    const file = path.join(bad, 'report.hbs');
    writeFileSync(file, `${readFileSync(file, 'utf8')}{{view.verdict.noSuchField}}`);
    expect(() => renderHtml(report, { templatesDir: bad })).toThrow(/"noSuchField" not defined/);
  });
});
