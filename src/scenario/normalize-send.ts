/** `send` events: the message, its chunking and reports, and what the receiver accepts. */
import { typeMatches } from '../protocol/media-types.js';
import type { ScenarioFileEvent } from './definition.js';
import type { Path } from './problems.js';
import { formatDuration } from './units.js';
import type { NormalizeContext, UsableSession } from './normalize-context.js';
import { bytes, fr, us, yesNo } from './normalize-defaults.js';
import { checkChunkSize, checkTotals, MAX_MESSAGE_BYTES, sizeText } from './normalize-limits.js';
import type { EventBase, ScenarioEndpoint, ScenarioNode, ScenarioSendAction } from './types.js';

const utf8 = new TextEncoder();

export function sendEvent(
  cx: NormalizeContext,
  send: NonNullable<ScenarioFileEvent['send']>,
  path: Path,
  base: EventBase,
  usable: UsableSession,
  current: Map<string, ScenarioNode>,
): (EventBase & ScenarioSendAction) | undefined {
  const at = base.at;
  const s = usable([...path, 'session'], send.session);
  const fromOk = cx.refEndpoint([...path, 'from'], send.from) !== undefined;
  if (s === undefined || !fromOk) return undefined;
  if (send.from !== s.offerer && send.from !== s.answerer) {
    cx.err([...path, 'from'], `\`${send.from}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
    return undefined;
  }
  const to = send.from === s.offerer ? s.answerer : s.offerer;
  const sender = current.get(send.from) as ScenarioEndpoint | undefined;
  const receiver = current.get(to) as ScenarioEndpoint | undefined;
  if (sender === undefined) return undefined;
  const content = send.body !== undefined ? ({ kind: 'text', text: send.body, bytes: utf8.encode(send.body) } as const) : ({ kind: 'generated', size: bytes(send.size!) } as const);
  const size = content.kind === 'text' ? content.bytes.length : content.size;
  const contentType = send.contentType ?? (content.kind === 'text' ? 'text/plain' : 'application/octet-stream');
  const chunkSize = send.chunkSize !== undefined ? bytes(send.chunkSize) : sender.chunkSize;
  const chunkStrategy = send.chunkStrategy ?? sender.chunkStrategy;
  if (send.chunkSize !== undefined && chunkSize === 0) cx.err([...path, 'chunkSize'], 'a chunk needs at least 1 byte');
  if (send.chunkSize !== undefined) checkChunkSize(cx, chunkSize, [...path, 'chunkSize']);
  if (size > MAX_MESSAGE_BYTES) cx.err(send.size !== undefined ? [...path, 'size'] : [...path, 'body'], `a message of ${size} bytes is larger than msrp-sim sends: at most ${sizeText(MAX_MESSAGE_BYTES)}`);
  if ((send.chunkSize !== undefined || send.chunkStrategy !== undefined) && chunkSize > 2048 && chunkStrategy === 'fixed') {
    cx.warn([...path, send.chunkSize !== undefined ? 'chunkSize' : 'chunkStrategy'], 'chunks of more than 2048 bytes must be interruptible (W-31, RFC 4975 §7.1.1); set `chunkStrategy: interruptible`');
  }
  const force = send.force ?? false;
  if (receiver !== undefined && !force) {
    if (!receiver.acceptTypes.some((p) => typeMatches(contentType, p))) {
      cx.warn(send.contentType !== undefined ? [...path, 'contentType'] : path, `\`${to}\` does not accept \`${contentType}\` (its acceptTypes: ${receiver.acceptTypes.join(', ')}); set \`force: true\` to send it anyway`, send.contentType !== undefined ? 'value' : 'key');
    }
    if (receiver.maxSize !== null && size > receiver.maxSize) {
      cx.warn(send.size !== undefined ? [...path, 'size'] : [...path, 'body'], `the message (${size} bytes) is larger than the maxSize of \`${to}\` (${receiver.maxSize} bytes)`);
    }
  }
  const count = send.count ?? 1;
  const interval = send.interval !== undefined ? us(send.interval) : 0;
  if (count > 1 && at + (count - 1) * interval > cx.duration) {
    cx.warn([...path, 'count'], `the last of the ${count} messages is due at ${formatDuration(at + (count - 1) * interval)}, after the end of the run (\`duration\` is ${cx.durationText})`);
  }
  checkTotals(cx, count, size, path, send.count !== undefined);
  const abortAfter = send.abortAfter !== undefined ? bytes(send.abortAfter) : null;
  if (abortAfter !== null && abortAfter >= size) cx.warn([...path, 'abortAfter'], `the message has only ${size} bytes, so it is never aborted`);
  // Written out rather than spread from `base`: a spread of this many fields costs microseconds,
  // and a scale scenario's groups write tens of thousands of sends.
  return {
    at,
    index: base.index,
    source: base.source,
    action: 'send',
    session: s.id,
    from: send.from,
    to,
    contentType,
    content,
    size,
    chunkSize,
    chunkStrategy,
    successReport: send.successReport !== undefined ? yesNo(send.successReport) : sender.successReport,
    failureReport: send.failureReport !== undefined ? fr(send.failureReport) : sender.failureReport,
    force,
    abortAfter,
    count,
    interval,
  };
}
