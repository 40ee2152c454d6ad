// The format layer's public surface: detection by content, container unwrapping, event
// parsing per format and record assembly around a prefilter hit.

export { detectFormat } from './detect.js';
export { unwrapLine, unwrap, detectWrapper, type Unwrapped } from './wrappers.js';
export { parseEvent, ruleText } from './parse.js';
export type { ParsedEvent } from './events.js';
export { assembleRecord, MAX_RECORD_LINES, type EventCache } from './record.js';
export { parseIsoTime, parseEpochTime } from '../core/time.js';
