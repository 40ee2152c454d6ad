// The contracts between stages, re-exported in one place: records, rules, facts, report,
// problems, and the shared wording of numbers and of the verdict vocabulary. Stages import types from here, never from each other.

export * from './problem.js';
export * from './records.js';
export * from './rules.js';
export * from './systems.js';
export * from './facts.js';
export * from './inputs.js';
export * from './report.js';
export * from './live.js';
export * from './units.js';
export * from './words.js';
export * from './regex.js';
