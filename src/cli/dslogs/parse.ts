import { TOPICS, type Topic } from '../../sim/log.js';

/**
 * One line of a captured log, split into its fields. `peer` is undefined for
 * harness (TEST) lines and for the rare event line written without a peer.
 */
export interface LogLine {
  /** The timestamp exactly as written: tenths of a millisecond, six or more digits. */
  readonly time: string;
  readonly topic: Topic;
  readonly peer: number | undefined;
  readonly message: string;
}

const TOPIC_SET: ReadonlySet<string> = new Set(TOPICS);

// Time, then a four-character topic, then the rest of the line. The topic is
// checked against TOPICS afterwards, so "000123 FAIL x" is simply not a log line.
const LINE = /^(\d{6,}) ([A-Z0-9]{4})(?: (.*))?$/;
const PEER = /^S(\d+)(?: (.*))?$/;

/**
 * Parses one line of a log. Returns undefined for anything that is not a log
 * line (the header, failure text, stack traces), which the printer shows as is.
 */
export function parseLogLine(text: string): LogLine | undefined {
  const line = LINE.exec(text);
  if (line === null) return undefined;
  const [, time, topic, rest = ''] = line;
  if (!TOPIC_SET.has(topic)) return undefined;
  // Harness lines never carry a peer, so a TEST message that happens to start
  // with "S1 " stays the harness's words.
  if (topic === 'TEST') return { time, topic, peer: undefined, message: rest };
  const peer = PEER.exec(rest);
  if (peer === null) return { time, topic: topic as Topic, peer: undefined, message: rest };
  return { time, topic: topic as Topic, peer: Number(peer[1]), message: peer[2] ?? '' };
}
