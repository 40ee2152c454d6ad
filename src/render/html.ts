// HTML renderer: one self-contained postmortem page from templates/ (a layout, one partial
// per section, report.css inlined) over the view model. Templates only loop and branch;
// Handlebars escapes every value, and the full JSON result rides along for `mapmortem report`.

import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Report } from '../core/index.js';
import { embedJson } from './embedded.js';
import { buildViewModel, type ReportView, type ViewOptions } from './view-model.js';
import { listPackageDir, packageRoot, readPackageFile } from '../core/package.js';

export interface HtmlOptions extends ViewOptions {
  /** Another templates directory (same layout: report.hbs, layouts/, partials/, report.css). */
  readonly templatesDir?: string;
}

/** The package's `templates/` directory (found by walking up to mapmortem's package.json), or the executable's built-in copy. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

interface Compiled {
  readonly render: HandlebarsTemplateDelegate<{ view: ReportView; css: string; embedded: string }>;
  readonly css: string;
}

const cache = new Map<string, Compiled>();

function hbsFiles(dir: string): string[] {
  return (listPackageDir(dir) ?? []).filter((f) => f.endsWith('.hbs'));
}

function compile(dir: string): Compiled {
  const hit = cache.get(dir);
  if (hit) return hit;
  const hb = Handlebars.create();
  for (const sub of ['layouts', 'partials']) {
    for (const f of hbsFiles(join(dir, sub))) {
      const name = f.slice(0, -'.hbs'.length);
      hb.registerPartial(sub === 'layouts' ? `layouts/${name}` : name, readPackageFile(join(dir, sub, f)));
    }
  }
  const render = hb.compile<{ view: ReportView; css: string; embedded: string }>(readPackageFile(join(dir, 'report.hbs')), {
    strict: true,
    noEscape: false,
  });
  const css = readPackageFile(join(dir, 'report.css')).replace(/<\//g, '<\\/');
  const compiled = { render, css };
  cache.set(dir, compiled);
  return compiled;
}

export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const { render, css } = compile(opts.templatesDir ?? templatesDir());
  const view = buildViewModel(report, opts);
  return render({ view, css, embedded: embedJson(report) }, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}
