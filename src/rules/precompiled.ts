// The bundled rule pack compiled at build time (scripts/compile-rules.ts writes rule-pack.json
// beside the built modules): every rule of rules/*.yaml parsed and validated, as JSON, with a
// fingerprint of the YAML it came from. A run takes it instead of parsing the YAML only while
// the fingerprint still matches the files; any other rule directory gets the full check.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../core/index.js';

/** The pack's file name, beside the module that reads it (dist/src/rules/, dist/bundle/). */
export const RULE_PACK_NAME = 'rule-pack.json';

/** One rule file as read: its name in the directory and its text. */
export interface RuleFileText {
  readonly name: string;
  readonly text: string;
}

/** A rule as the pack stores it: `sourceFile` is the file's name, made a path again at load. */
interface PackFile {
  readonly format: 1;
  readonly fingerprint: string;
  readonly rules: readonly Rule[];
}

/** SHA-256 over the names and texts of the rule files, in the order given (the loader's sorted order). */
export function ruleFilesFingerprint(files: readonly RuleFileText[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.name}\n${Buffer.byteLength(f.text)}\n`).update(f.text);
  return h.digest('hex');
}

/** The pack's JSON for rules parsed and validated from `files` (each rule's sourceFile is reduced to its name). */
export function rulePackJson(files: readonly RuleFileText[], rules: readonly Rule[]): string {
  const pack: PackFile = { format: 1, fingerprint: ruleFilesFingerprint(files), rules: rules.map((r) => ({ ...r, sourceFile: baseName(r.sourceFile) })) };
  return `${JSON.stringify(pack)}\n`;
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** Where this build's pack is: beside this module; undefined where a module has no file URL (the CommonJS single executable). */
export function builtRulePackPath(): string | undefined {
  try {
    return join(dirname(fileURLToPath(import.meta.url)), RULE_PACK_NAME);
  } catch {
    return undefined;
  }
}

/**
 * The pack's rules for the files of `dir`, their sourceFile under `dir`; undefined when there is
 * no pack or it was built from other files (then the caller parses and validates the YAML).
 */
export function precompiledRules(dir: string, files: readonly RuleFileText[], packPath = builtRulePackPath()): Rule[] | undefined {
  if (packPath === undefined) return undefined;
  let pack: PackFile;
  try {
    pack = JSON.parse(readFileSync(packPath, 'utf8')) as PackFile;
  } catch {
    return undefined;
  }
  if (pack.format !== 1 || pack.fingerprint !== ruleFilesFingerprint(files)) return undefined;
  return pack.rules.map((r) => ({ ...r, sourceFile: join(dir, r.sourceFile) }));
}
