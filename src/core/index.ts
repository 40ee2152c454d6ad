// The contracts between stages, re-exported in one place: records, rules, facts, report,
// and problems. Stages import types from here, never from each other.

export * from './problem.js';
export * from './records.js';
export * from './rules.js';
export * from './facts.js';
export * from './report.js';
