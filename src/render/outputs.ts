// The output-format registry: every `--format` value, the file extensions that imply it, and
// how it renders a finished report. Renderers other than JSON (text and its wrapping libraries,
// Markdown, HTML and its templates) load only when asked for. Adding an output format is one
// renderer file plus one entry here.

import { extname } from 'node:path';
import type { Report } from '../core/index.js';
import { renderJson } from './json.js';

export interface RenderOptions {
  /** ANSI colour (the text format only). */
  readonly color: boolean;
  /** Text: the full detail instead of one screen per incident. */
  readonly verbose?: boolean;
  /** Text: columns to wrap to (default 100). */
  readonly width?: number;
}

export interface OutputFormat {
  readonly name: string;
  readonly description: string;
  /** Extensions of `-o FILE` that imply this format (lower case, with the dot). */
  readonly extensions: readonly string[];
  /** A streamed format (ndjson) is written by the scan as files finish; `mapmortem report` writes this document format instead. */
  readonly streamed?: { readonly documentForm: string };
  readonly render: (report: Report, opts: RenderOptions) => Promise<string>;
}

export const OUTPUT_FORMATS = [
  {
    name: 'text',
    description: 'terminal text: the verdict first, then each incident',
    extensions: ['.txt', '.log'],
    render: async (r, o) => (await import('./text.js')).renderText(r, o),
  },
  {
    name: 'json',
    description: 'one JSON document (schemaVersion 1, docs/json-schema.md)',
    extensions: ['.json'],
    render: (r) => Promise.resolve(renderJson(r)),
  },
  {
    name: 'ndjson',
    description: 'one JSON object per finding as each file is done, then a summary object',
    extensions: ['.ndjson', '.jsonl'],
    streamed: { documentForm: 'json' },
    render: (r) => Promise.resolve(renderJson(r)),
  },
  {
    name: 'md',
    description: 'Markdown for a GitHub or GitLab comment (the detail behind <details>, under 65,536 characters)',
    extensions: ['.md', '.markdown'],
    render: async (r) => (await import('./markdown.js')).renderMarkdown(r),
  },
  {
    name: 'jira',
    description: 'Jira wiki markup for a ticket comment (Jira renders no Markdown tables or <details>)',
    extensions: ['.jira'],
    render: async (r) => (await import('./jira.js')).renderJira(r),
  },
  {
    name: 'html',
    description: 'one self-contained HTML postmortem',
    extensions: ['.html', '.htm'],
    render: async (r) => (await import('./html.js')).renderHtml(r),
  },
] as const satisfies readonly OutputFormat[];

export type OutputFormatName = (typeof OUTPUT_FORMATS)[number]['name'];
export const OUTPUT_FORMAT_NAMES: readonly OutputFormatName[] = OUTPUT_FORMATS.map((f) => f.name);

export function outputFormat(name: OutputFormatName): OutputFormat {
  const f: OutputFormat | undefined = OUTPUT_FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`no output format ${name}`);
  return f;
}

/** The format `-o FILE` implies by its extension, if any. */
export function formatFromOutput(output: string | undefined): OutputFormatName | undefined {
  if (!output) return undefined;
  const ext = extname(output).toLowerCase();
  return OUTPUT_FORMATS.find((f) => (f.extensions as readonly string[]).includes(ext))?.name;
}
