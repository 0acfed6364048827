/**
 * sequence.mmd: the ladder as a Mermaid sequence diagram, for documents and issue trackers.
 * Participants in lane order; MSRP as solid arrows (`->>`), SIP dashed (`-->>`), TCP connection
 * attempts as open arrows (`-)`), frames that never arrived as crosses (`-x`) with a note saying
 * why; markers (delivery, failures) as notes. Mermaid draws a message as one step, so arrows come
 * in the order they were sent. Mermaid refuses diagrams over 50,000 characters by default: the
 * diagram stops before that, with a note pointing to sequence.svg.
 */
import { formatTime } from '../sim/time.js';
import type { Arrow, FlowModel, Marker } from './flow-model.js';

export interface MermaidOptions {
  /** Largest diagram text (default 48,000 characters). */
  maxChars?: number;
  /** Add the To-Path / From-Path line to MSRP messages (default true). */
  paths?: boolean;
}

const RESERVED = new Set(['end', 'participant', 'actor', 'note', 'loop', 'alt', 'else', 'opt', 'par', 'and', 'rect', 'critical', 'break', 'activate', 'deactivate', 'autonumber', 'title', 'box', 'create', 'destroy', 'links', 'link', 'properties', 'details']);

/** Text safe inside a Mermaid message or note: `;` and `#` as entity codes, no newlines. */
export function mermaidText(s: string): string {
  return s.replace(/[#;]|%(?=%)/g, (c) => (c === '#' ? '#35;' : c === ';' ? '#59;' : '#37;')).replace(/[\r\n]+/g, ' ');
}

export function renderMermaid(model: FlowModel, options: MermaidOptions = {}): string {
  const maxChars = options.maxChars ?? 48_000;
  const showPaths = options.paths ?? true;
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const idOf = (node: string): string => {
    let id = ids.get(node);
    if (id === undefined) {
      const base = node.replace(/[^A-Za-z0-9_]/g, '_') || 'node';
      id = RESERVED.has(base.toLowerCase()) || /^\d/.test(base) ? `n_${base}` : base;
      while (used.has(id)) id += '_';
      used.add(id);
      ids.set(node, id);
    }
    return id;
  };
  const roles = new Map(model.nodes.map((n) => [n.id, n.role]));
  const lines: string[] = ['sequenceDiagram', '    %% msrp-sim sequence: MSRP ->> solid, SIP -->> dashed, TCP connect -), lost or dropped -x'];
  const inDiagram = new Set<string>();
  for (const a of model.arrows) {
    inDiagram.add(a.from);
    inDiagram.add(a.end && a.t1 === null ? a.end.at : a.to);
  }
  for (const mk of model.markers) inDiagram.add(mk.node);
  // Firewalls between the nodes that talk are participants too: messages cross them.
  const idx = model.lanes.map((id, i) => (inDiagram.has(id) ? i : -1)).filter((i) => i >= 0);
  if (idx.length > 1) {
    for (let i = idx.reduce((m, k) => Math.min(m, k), Infinity) + 1; i < idx.reduce((m, k) => Math.max(m, k), -Infinity); i++) if (roles.get(model.lanes[i]!) === 'firewall') inDiagram.add(model.lanes[i]!);
  }
  for (const node of model.lanes) {
    if (!inDiagram.has(node)) continue;
    const role = roles.get(node) ?? 'host';
    lines.push(`    participant ${idOf(node)} as ${mermaidText(`${node} (${role})`)}`);
  }
  for (const node of inDiagram) if (!model.lanes.includes(node) && node !== '') lines.push(`    participant ${idOf(node)} as ${mermaidText(node)}`);

  type Item = { t: number; seq: number; lines: string[] };
  const items: Item[] = [];
  for (const a of model.arrows) items.push({ t: a.t0, seq: a.seq0, lines: arrowLines(a, idOf, model, showPaths) });
  for (const mk of model.markers) items.push({ t: mk.t, seq: mk.seq, lines: [markerLine(mk, idOf)] });
  items.sort((x, y) => x.t - y.t || x.seq - y.seq);

  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  let shown = 0;
  for (const item of items) {
    const add = item.lines.reduce((n, l) => n + l.length + 1, 0);
    if (size + add > maxChars - 200) break;
    for (const l of item.lines) lines.push(l);
    size += add;
    shown++;
  }
  const left = items.length - shown + model.omittedArrows;
  if (left > 0 && lines.length > 2) {
    const first = model.lanes.find((l) => inDiagram.has(l));
    const last = [...model.lanes].reverse().find((l) => inDiagram.has(l));
    if (first && last) lines.push(`    Note over ${idOf(first)},${idOf(last)}: ${left} more steps not shown here: see sequence.svg`);
  }
  return lines.join('\n') + '\n';
}

function arrowLines(a: Arrow, idOf: (n: string) => string, model: FlowModel, showPaths: boolean): string[] {
  const from = idOf(a.from);
  let text = `${a.label}${a.sub && a.kind !== 'tcp' ? ` ${a.sub}` : ''}`;
  if (showPaths && a.kind === 'msrp' && (a.toPath.length > 0 || a.fromPath.length > 0)) {
    text += `<br/>To: ${a.toPath.map(model.nodeOfUri).join(' ')} From: ${a.fromPath.map(model.nodeOfUri).join(' ')}`;
  }
  if (a.kind === 'tcp') text = `${a.label} ${a.sub}`;
  const out: string[] = [];
  if (a.t1 !== null) {
    const op = a.kind === 'sip' ? '-->>' : a.kind === 'tcp' ? '-)' : '->>';
    out.push(`    ${from}${op}${idOf(a.to)}: ${mermaidText(text)}`);
  } else {
    const at = a.end ? a.end.at : a.to;
    out.push(`    ${from}${a.kind === 'sip' ? '--x' : '-x'}${idOf(at)}: ${mermaidText(text)}`);
    const why = a.end ? `${a.end.kind === 'drop' ? '' : `${a.end.kind}: `}${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}${a.end.rule ? ` [${a.end.rule}]` : ''}` : 'not received';
    out.push(`    Note over ${idOf(at)}: ${mermaidText(why)}`);
  }
  for (const n of a.notes) out.push(`    Note over ${idOf(n.node)}: ${mermaidText(`${n.text}${n.rule ? ` [${n.rule}]` : ''}`)}`);
  return out;
}

function markerLine(mk: Marker, idOf: (n: string) => string): string {
  return `    Note over ${idOf(mk.node)}: ${mermaidText(`${formatTime(mk.t)} ${mk.text}${mk.rule ? ` [${mk.rule}]` : ''}`)}`;
}
