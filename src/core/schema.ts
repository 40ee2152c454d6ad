// The JSON Schema of the report (schema/report.schema.json, shipped in the package): its path
// and a validator over a parsed JSON document, for `report` input checks and the tests. The
// errors are worded as `<json pointer>: <reason>` so a caller can show which field is wrong.

import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { packageRoot, readPackageFile } from './package.js';

/** Path of the shipped report schema (built into the single executable there). */
export function reportSchemaPath(): string {
  return join(packageRoot(), 'schema', 'report.schema.json');
}

let validator: ValidateFunction | undefined;

/** Validates a parsed report document (the JSON form: "unlimited" for no limit). */
export function validateReportDocument(doc: unknown): { ok: true } | { ok: false; errors: string[] } {
  if (!validator) {
    const schema = JSON.parse(readPackageFile(reportSchemaPath())) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(doc)) return { ok: true };
  const errors = (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
  return { ok: false, errors: [...new Set(errors)] };
}
