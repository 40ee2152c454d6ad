// The shipped JSON Schema: it is in the package, accepts what scan writes and rejects a report
// whose incident lost its numbers or carries a wrong origin.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchemaPath, validateReportDocument } from '../../src/core/schema.js';
import { REPO, scanJson } from '../helpers/cli.js';

describe('schema/report.schema.json', () => {
  it('ships in the package files', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
    expect(reportSchemaPath()).toBe(join(REPO, 'schema', 'report.schema.json'));
  });

  it('accepts a scan report and rejects one without incident numbers or with an unknown origin', async () => {
    const { report } = await scanJson(['samples/thread-limit']);
    expect(validateReportDocument(report)).toEqual({ ok: true });
    const noNumbers = structuredClone(report);
    delete noNumbers.incidents[0].numbers;
    const bad = validateReportDocument(noNumbers);
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.errors.join('\n')).toContain("/incidents/0: must have required property 'numbers'");
    const wrongOrigin = structuredClone(report);
    wrongOrigin.incidents[0].numbers.mapLimit.origin = 'guessed';
    expect(validateReportDocument(wrongOrigin).ok).toBe(false);
  });
});
