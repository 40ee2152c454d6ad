// The shape a result file must have before `mapmortem report` merges or renders it: the
// documented JSON (docs/json-schema.md) as a JSON Schema checked with ajv, every field a renderer
// reads typed, so a hand-edited or damaged file is a usage error naming the field, never a crash.

import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import { CAUSES, RULE_STATUSES, SEVERITIES } from '../core/index.js';

const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const num = { type: 'number' } as const;
const strings = { type: 'array', items: str } as const;
/** Limits may be "unlimited" in JSON (Infinity). */
const count = { anyOf: [num, { const: 'unlimited' }, { type: 'null' }] } as const;
const sourceRef = { type: 'object', required: ['file', 'line'], properties: { file: str, line: int } } as const;
const sources = { type: 'array', items: sourceRef } as const;
const lineText = { type: 'object', required: ['line', 'text'], properties: { line: int, text: str } } as const;

const finding = {
  type: 'object',
  required: ['ruleId', 'severity', 'file', 'line', 'recordStartLine', 'text', 'signals', 'recordLines', 'contextBefore', 'contextAfter', 'captures'],
  properties: {
    ruleId: str,
    severity: { enum: [...SEVERITIES] },
    systems: strings,
    signals: { type: 'object', required: ['failure', 'operation', 'hint'], properties: { failure: str, operation: str, hint: str } },
    file: str,
    line: int,
    recordStartLine: int,
    format: str,
    wrapper: str,
    time: { type: 'object', required: ['iso', 'hasOffset'], properties: { iso: str, hasOffset: { type: 'boolean' } } },
    level: str,
    logger: str,
    text: str,
    recordLines: { type: 'array', items: lineText },
    contextBefore: { type: 'array', items: lineText },
    contextAfter: { type: 'array', items: lineText },
    span: { type: 'array', items: int, minItems: 2, maxItems: 2 },
    captures: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
  },
} as const;

const maps = {
  type: 'object',
  required: ['source', 'kind', 'regions', 'complete', 'classes', 'top'],
  properties: {
    source: sourceRef,
    kind: str,
    regions: int,
    complete: { type: 'boolean' },
    classes: { type: 'array', items: { type: 'object', required: ['class', 'count', 'bytes'], properties: { class: str, count: int, bytes: num } } },
    top: {
      type: 'array',
      items: { type: 'object', required: ['name', 'class', 'count', 'bytes'], properties: { name: str, class: str, count: int, bytes: num } },
    },
  },
} as const;

const incident = {
  type: 'object',
  required: ['id', 'system', 'process', 'cause', 'confidence', 'severity', 'summary', 'count', 'findings', 'trail', 'evidence', 'remediation', 'caveats'],
  properties: {
    id: str,
    system: str,
    process: str,
    cause: { enum: [...CAUSES] },
    confidence: { enum: ['high', 'medium', 'low'] },
    severity: { enum: [...SEVERITIES] },
    summary: str,
    firstSeen: str,
    lastSeen: str,
    count: int,
    findings: { type: 'array', items: finding },
    omittedFindings: int,
    trail: {
      type: 'array',
      items: { type: 'object', required: ['step', 'fact', 'sources', 'outcome'], properties: { step: str, fact: str, sources, outcome: str } },
    },
    evidence: { type: 'array', items: { type: 'object', required: ['file', 'kind', 'reason'], properties: { file: str, kind: str, reason: str } } },
    maps,
    remediation: {
      type: 'object',
      required: ['summary', 'steps', 'capture'],
      properties: {
        summary: str,
        recommendedMaxMapCount: num,
        neededMapCount: { type: 'object', required: ['value', 'basis', 'sources'], properties: { value: num, basis: str, sources } },
        steps: {
          type: 'array',
          items: { type: 'object', required: ['title', 'detail', 'commands'], properties: { title: str, detail: str, commands: strings } },
        },
        capture: strings,
      },
    },
    caveats: strings,
  },
} as const;

const evidenceFile = {
  type: 'object',
  required: ['file', 'kind', 'facts'],
  properties: {
    file: str,
    kind: str,
    facts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'value', 'source'],
        properties: { key: str, value: { anyOf: [count, str, { const: true }] }, source: sourceRef, complete: { type: 'boolean' }, method: str },
      },
    },
    maps,
  },
} as const;

export const REPORT_SHAPE: SchemaObject = {
  type: 'object',
  required: ['schemaVersion', 'tool', 'generatedAt', 'roots', 'verdict', 'incidents', 'evidence', 'inputs', 'problems', 'stats'],
  properties: {
    schemaVersion: { const: 1 },
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { const: 'mapmortem' }, version: str } },
    generatedAt: str,
    roots: strings,
    verdict: { enum: [...CAUSES, 'none', 'nothing-read'] },
    incidents: { type: 'array', items: incident },
    evidence: { type: 'array', items: evidenceFile },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'bytes', 'lines', 'sha256', 'role'],
        properties: { file: str, bytes: int, storedBytes: int, lines: int, sha256: str, role: str, wrapper: str },
      },
    },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'file', 'args', 'message', 'severity'],
        properties: { code: str, file: str, line: int, args: { type: 'object' }, message: str, severity: str },
      },
    },
    stats: {
      type: 'object',
      required: ['files', 'bytes', 'lines', 'candidates', 'findings', 'rules'],
      properties: { files: int, bytes: int, lines: int, candidates: int, findings: int, rules: int },
    },
    groups: {
      type: 'array',
      items: { type: 'object', required: ['system', 'cause', 'incidents', 'findings'], properties: { system: str, cause: str, incidents: strings, findings: int } },
    },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'status', 'origin', 'explanation', 'remediation', 'references'],
        properties: { id: str, title: str, status: { enum: [...RULE_STATUSES] }, origin: { enum: ['bundled', 'user'] }, explanation: str, remediation: str, references: strings },
      },
    },
    mergedFrom: strings,
    shard: {
      type: 'object',
      required: ['index', 'count', 'plan', 'groups', 'totalGroups'],
      properties: { index: int, count: int, plan: str, groups: int, totalGroups: int },
    },
  },
};

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Where a value first departs from the documented report shape ('incidents[0].trail[2].sources: must be array'), or undefined. */
export function reportShapeError(value: unknown): string | undefined {
  compiled ??= new Ajv({ allErrors: false, strict: false }).compile(REPORT_SHAPE);
  if (compiled(value)) return undefined;
  const e = (compiled.errors ?? [])[0] as ErrorObject | undefined;
  if (!e) return 'not a mapmortem report';
  const where =
    e.instancePath === ''
      ? ''
      : e.instancePath
          .slice(1)
          .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
          .replace(/\//g, '.');
  const missing = e.keyword === 'required' ? `${where === '' ? '' : `${where}.`}${String((e.params as { missingProperty?: string }).missingProperty)}: is missing` : undefined;
  return missing ?? `${where === '' ? '(top level)' : where.replace(/^(\d+)/, '[$1]')}: ${e.message ?? 'is invalid'}`;
}
