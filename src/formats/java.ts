// Java logging frameworks: Kafka's log4j layout (`[time] LEVEL msg (logger)`) and the other
// log4j / logback / Spring Boot / Elasticsearch / ZooKeeper / Cassandra layouts. A line
// starting with a timestamp starts a record; anything else continues it (stack traces).

import { makeEvent, type LogFormatDef, type ParsedEvent } from './events.js';
import { ISO_TS, isIsoTime, parseIsoTime } from '../core/time.js';
import { LEVEL_WORDS, normaliseLevel } from './shapes.js';
import { parsePlainTimestamped } from './plain.js';

const KAFKA_RE = new RegExp(String.raw`^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{1,3})?)?\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) (.*?)(?: \(([\w.$\-]+)\))?$`, 's');

/** KAFKA_RE's start: its lazy message and optional logger always match the rest of the line, so this matches where it does. */
const KAFKA_START_RE = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{1,3})?)?\] (?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL) /;

/** Whether parseKafkaLine gives an event, without building it (format detection asks this of every head line). */
export function fitsKafkaLine(text: string): boolean {
  const m = KAFKA_START_RE.exec(text);
  return m !== null && (m[1] === undefined || isIsoTime(m[1]));
}

/** `[2024-05-01 12:00:00,123] ERROR Error while … (kafka.log.LogManager)`. */
export function parseKafkaLine(text: string): ParsedEvent | null {
  const m = KAFKA_RE.exec(text);
  if (m === null) return null;
  const time = m[1] === undefined ? undefined : parseIsoTime(m[1]);
  if (m[1] !== undefined && time === undefined) return null;
  return makeEvent(m[3] ?? '', time, m[2], m[4]);
}

const LEADING_TS_RE = new RegExp(String.raw`^\[?(${ISO_TS})\]?\s*`);
const LEVEL_FIRST_RE = new RegExp(String.raw`^(${LEVEL_WORDS})\s+\[([^\]]*)\]\s+(${ISO_TS})\s+(.*)$`, 's');
const LOGBACK_CLOCK_RE = new RegExp(String.raw`^\d{2}:\d{2}:\d{2}[.,]\d{3}\s+\[([^\]]*)\]\s+(${LEVEL_WORDS})\s+(.*)$`, 's');
const LEVEL_TOKEN_RE = new RegExp(String.raw`(^|[\s\[-])(${LEVEL_WORDS})(?=[\s\]]|$)`);
const LOGGER_MSG_RE = /^([A-Za-z_$][\w$.-]*(?:[@:#][\w$.-]+)*)\s+(?:-|:)\s?(.*)$/s;

/** Splits what follows the level into logger and message. */
function loggerAndMessage(afterLevel: string, bracketedLevel: boolean): { logger?: string; message: string } {
  let rest = afterLevel.replace(/^\s*\]?\s*/, '');
  // Elasticsearch: `[LEVEL][logger] [node] msg`
  if (bracketedLevel) {
    const es = /^\[\s*([\w.$-]+)\s*\]\s*(?:\[[^\]]*\]\s*)?(.*)$/s.exec(rest);
    if (es !== null) return { logger: es[1] ?? '', message: es[2] ?? '' };
  }
  // Spring Boot: `1234 --- [app] [main] logger : msg`
  rest = rest.replace(/^\d+\s+---\s+/, '');
  // threads, MDC and ZooKeeper `[thread:Class@line]` blocks, and a ` - ` separator
  rest = rest.replace(/^(?:\[[^\]]*\]\s*)+/, '').replace(/^-\s+/, '');
  const lm = LOGGER_MSG_RE.exec(rest);
  if (lm !== null) return { logger: lm[1] ?? '', message: lm[2] ?? '' };
  return { message: rest };
}

/** log4j / logback / Spring Boot / Elasticsearch / ZooKeeper / Cassandra record starts. */
export function parseJavaLine(text: string): ParsedEvent | null {
  const lf = LEVEL_FIRST_RE.exec(text);
  if (lf !== null) {
    const time = parseIsoTime(lf[3] ?? '');
    const split = loggerAndMessage(lf[4] ?? '', false);
    return makeEvent(split.message, time, normaliseLevel(lf[1] ?? ''), split.logger);
  }
  const clock = LOGBACK_CLOCK_RE.exec(text);
  if (clock !== null) {
    const split = loggerAndMessage(clock[3] ?? '', false);
    return makeEvent(split.message, undefined, normaliseLevel(clock[2] ?? ''), split.logger);
  }
  const ts = LEADING_TS_RE.exec(text);
  if (ts === null) return null;
  const time = parseIsoTime(ts[1] ?? '');
  if (time === undefined) return null;
  const rest = text.slice(ts[0].length);
  // the level must come within the first few tokens
  const lv = LEVEL_TOKEN_RE.exec(rest.slice(0, 80));
  if (lv === null) return makeEvent(rest, time);
  const levelEnd = lv.index + (lv[1] ?? '').length + (lv[2] ?? '').length;
  const bracketed = lv[1] === '[';
  const split = loggerAndMessage(rest.slice(levelEnd), bracketed);
  return makeEvent(split.message, time, normaliseLevel(lv[2] ?? ''), split.logger);
}

/** True when the line has a level as well as a timestamp: a confident java-log line (parseJavaLine's event has a level; it is not built). */
export function fitsJavaLine(text: string): boolean {
  const lf = LEVEL_FIRST_RE.exec(text);
  if (lf !== null) return normaliseLevel(lf[1] ?? '') !== '';
  const clock = LOGBACK_CLOCK_RE.exec(text);
  if (clock !== null) return normaliseLevel(clock[2] ?? '') !== '';
  const ts = LEADING_TS_RE.exec(text);
  if (ts === null || !isIsoTime(ts[1] ?? '')) return false;
  const lv = LEVEL_TOKEN_RE.exec(text.slice(ts[0].length).slice(0, 80));
  return lv !== null && normaliseLevel(lv[2] ?? '') !== '';
}

export const kafkaFormat: LogFormatDef = {
  name: 'kafka-log4j',
  description: "Kafka's log4j layout: `[time] LEVEL message (logger)`",
  fits: fitsKafkaLine,
  parse: (l) => parseKafkaLine(l) ?? parseJavaLine(l) ?? parsePlainTimestamped(l),
  samples: [
    {
      lines: ['[2024-05-01 12:00:00,123] ERROR Error while flushing log (kafka.log.LogManager)'],
      event: { level: 'ERROR', logger: 'kafka.log.LogManager', message: 'Error while flushing log' },
    },
  ],
};

export const javaLogFormat: LogFormatDef = {
  name: 'java-log',
  description: 'log4j, logback, Spring Boot, Elasticsearch, ZooKeeper and Cassandra layouts',
  fits: fitsJavaLine,
  parse: (l) => parseJavaLine(l) ?? parseKafkaLine(l) ?? parsePlainTimestamped(l),
  samples: [
    {
      lines: ['2024-05-01 12:00:00,123 ERROR [main] org.apache.zookeeper.server.ZooKeeperServerMain - Unexpected exception'],
      event: { level: 'ERROR', logger: 'org.apache.zookeeper.server.ZooKeeperServerMain', message: 'Unexpected exception' },
    },
  ],
};
