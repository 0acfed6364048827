/**
 * Where the ladder's rows and labels go (ladder.ts draws them): a row per event, idle gaps
 * compressed; every label horizontal, in a gap between lanes, at the first candidate place that
 * meets no label placed before, no line of another arrow and no lane. When a label finds no free
 * place, the rows next to it are spread and the page is laid out again; when only its own arrow
 * stands in the way (which moves with those rows), it moves a little off its places instead.
 */
import type { Micros } from '../sim/time.js';
import type { Arrow, FlowModel, Marker } from './flow-model.js';
import { segmentToBox, Space, type Box, type Seg, type Verdict } from './ladder-space.js';

export const ROW = 30;
export const TOP = 156;
export const LEFT = 100;
export const BOTTOM = 56;
/** Room right of the last lane, for what happens there (deliveries, drops). */
export const RIGHT = 190;
/** Text widths per character (DejaVu Sans, a little generous): bold 11 px labels, 9.5 px small text. */
export const CH_BOLD = 7.6;
export const CH_SMALL = 6.3;
export const CH_MARK = 6.6;
export const LINE_H = 12.5;

export interface Slot {
  t: Micros;
  seq: number;
}

/** What the ladder draws for one arrow, or for the chunks of one message on one hop (a band). */
export interface Item {
  first: Arrow;
  last: Arrow;
  members: Arrow[];
  /** The Byte-Ranges the band covers, `1-40960/40960`; '' for a single arrow. */
  covers: string;
  /** Whether to say this arrow's path rewrite (once per message and hop). */
  sayChange: boolean;
}


/** A text to place: lines, their class, and where it may go. */
export interface LabelSpec {
  owner: number;
  lines: { text: string; cls: string; ch: number }[];
  /**
   * The k-th candidate place in order of preference (undefined past the last), made when asked
   * for: most labels take one of the first few. A place is the anchor's x (centre for middle,
   * else the left or right edge) and where the box's top goes (`Candidate.rest`, topOf()).
   */
  candidate: (k: number) => Candidate | undefined;
  layer: 'main' | 'tcp';
  /** An arrow's label: the (first) line it goes above and the (last) line it goes below. */
  line?: Line;
  last?: Line;
  /** The arrow a label of the TCP layer is about (`data-of`). */
  of?: number;
  /** The slots to spread when nothing is free. */
  slots: string[];
  /** Whether the label keeps off its own arrow's lines too (a note beside a lane, a drop's reason). */
  clearOfOwn?: boolean;
  /**
   * Pinned to one point (a drop's reason, at its cross): placed before its arrow's own label, which
   * may take any place along the line.
   */
  pinned?: boolean;
}

interface PlacedLine {
  text: string;
  cls: string;
  ch: number;
}

/**
 * Where a box's top goes: `centre`d on `y` + `dy` (a note beside a lane), or `above` the label's
 * (first) line or `below` its last one, 3 + `dy` px clear of it over the box's width.
 */
export type Rest = 'centre' | 'above' | 'below';

export interface Candidate {
  x: number;
  rest: Rest;
  /** `centre`: the height the box is centred on (before `dy`). */
  y: number;
  dy: number;
  anchor: 'middle' | 'start' | 'end';
  maxW: number;
}

export interface PlacedLabel {
  spec: LabelSpec;
  x: number;
  y: number;
  anchor: 'middle' | 'start' | 'end';
  /** The lines drawn: the spec's, each wrapped to the place's width when it is too wide (never shortened). */
  lines: { text: string; cls: string }[];
}

export function textWidth(s: string, ch: number): number {
  return s.length * ch;
}

/** Characters of width `ch` that fit in `maxW` (at least 4). */
function perLine(ch: number, maxW: number): number {
  return Math.max(4, Math.floor(maxW / ch));
}

/** Whether `s` fits `maxW` on one line. */
export function fits(s: string, ch: number, maxW: number): boolean {
  return s.length <= perLine(ch, maxW);
}

/**
 * `s` on as many lines of at most `maxW` as it needs, whole: broken at a double space (`To: ...  From:
 * ...`) first, then at spaces; a word longer than a line is broken after a ':', '-', '/' or '.' where
 * one is far enough along, else between characters. Nothing is
 * left out, so a reader always sees the whole text.
 */
export function wrap(s: string, ch: number, maxW: number): string[] {
  return breakLines(s, ch, maxW, true)!;
}

/** wrap() broken between words only: null when a word is longer than a line. */
function wrapWords(s: string, ch: number, maxW: number): string[] | null {
  return breakLines(s, ch, maxW, false);
}

function breakLines(s: string, ch: number, maxW: number, breakWords: boolean): string[] | null {
  const n = perLine(ch, maxW);
  if (s.length <= n) return [s];
  const lines: string[] = [];
  for (const phrase of s.split('  ')) {
    let line = '';
    for (let word of phrase.split(' ')) {
      if (line !== '' && line.length + 1 + word.length <= n) {
        line += ' ' + word;
        continue;
      }
      if (line !== '') lines.push(line);
      if (word.length > n && !breakWords) return null;
      while (word.length > n) {
        // Cut after the last ':', '-', '/' or '.' that leaves the line at least half full
        // (`[msrprelay:` over `session-ends-with-leg]`), else between characters.
        let cut = n;
        for (let k = n; k >= Math.ceil(n / 2); k--) {
          if (':-/.'.includes(word[k - 1]!)) {
            cut = k;
            break;
          }
        }
        lines.push(word.slice(0, cut));
        word = word.slice(cut);
      }
      line = word;
    }
    if (line !== '') lines.push(line);
  }
  return lines;
}


export interface Geometry {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** A band's last chunk. */
  lx0: number;
  ly0: number;
  lx1: number;
  ly1: number;
  cross: boolean;
}

export interface Layout {
  yOf(key: string): number;
  /** Where the lanes end: the last row, or lower when a label below it needs the room. */
  lastY: number;
  ticks: { y: number; t: Micros }[];
  gaps: { y: number; dt: Micros }[];
  labels: PlacedLabel[];
  geoms: Geometry[];
  /** Slots next to which a label found no free place. */
  crowded: Set<string>;
}

const IDLE = 1_000_000;
/**
 * How far a label whose places are all taken by its own arrow may move off them (px, in steps of
 * 6), and how near it then stays to a line of its arrow (or to its marker).
 */
const SHIFT = 48;
/** An arrow label's distances off its line, nearest first, and its anchors in order. */
const DY = [0, 10, 22];
const ANCHORS = ['middle', 'start', 'end'] as const;
const NEAR = 40;
/** Gaps an arrow's label tries, nearest the arrow's middle first. */
const MAX_GAPS = 16;

/** The first index of sorted `gaps` where `after` holds (it holds from there on); gaps.length if none. */
function firstGap(gaps: readonly [number, number][], after: (g: [number, number]) => boolean): number {
  let lo = 0;
  let hi = gaps.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (after(gaps[m]!)) hi = m;
    else lo = m + 1;
  }
  return lo;
}

export function layoutPage(
  items: Item[],
  markers: Marker[],
  model: FlowModel,
  keys: string[],
  slotOf: Slot[],
  extra: Map<string, number>,
  xOf: (id: string) => number,
  lanesX: number[],
  laneW: number,
  width: number,
): Layout {
  const yMap = new Map<string, number>();
  const ticks: { y: number; t: Micros }[] = [];
  const gaps: { y: number; dt: Micros }[] = [];
  let y = TOP;
  let lastTick = -100;
  for (let i = 0; i < keys.length; i++) {
    const s = slotOf[i]!;
    const prev = slotOf[i - 1];
    if (prev !== undefined) {
      y += ROW;
      if (s.t > prev.t) {
        const gap = timeGap(s.t - prev.t);
        if (s.t - prev.t >= IDLE) gaps.push({ y: y + gap / 2 - ROW / 2, dt: s.t - prev.t });
        y += gap;
      }
    }
    y += extra.get(keys[i]!) ?? 0;
    if ((prev === undefined || s.t > prev.t) && y - lastTick >= 13) {
      ticks.push({ y, t: s.t });
      lastTick = y;
    }
    yMap.set(keys[i]!, y);
  }
  const lastY = y;
  const yOf = (key: string): number => yMap.get(key) ?? TOP;
  const space = new Space();
  const geoms: Geometry[] = [];
  const specs: LabelSpec[] = [];
  // What each label stays next to: its arrow's lines (a band's first and last), a marker's point.
  const near = new Map<number, Omit<Seg, 'owner'>[]>();
  const lo = lanesX[0]! - laneW / 2;
  const hi = width - 12;
  // The gaps between lanes (and beyond the outer ones, inside the page).
  const gapsX: [number, number][] = [];
  for (let i = 0; i <= lanesX.length; i++) {
    const l = i === 0 ? lo : lanesX[i - 1]!;
    const r = i === lanesX.length ? Math.min(hi, width - 12) : lanesX[i]!;
    if (r - l > 30) gapsX.push([l, r]);
  }
  // The gaps are in order, left to right, and apart: found by halving, not by a walk along them
  // (a page of a run with a thousand nodes has a thousand lanes, and a label looks up its gaps).
  const gapAt = (x: number, dir: 1 | -1): [number, number] | undefined => {
    const side = dir > 0 ? 0 : 1;
    const i = firstGap(gapsX, (g) => g[side] >= x - 0.5);
    if (i < gapsX.length && gapsX[i]![side] <= x + 0.5) return gapsX[i];
    const j = firstGap(gapsX, (g) => g[0] >= x) - 1;
    return j >= 0 && x < gapsX[j]![1] ? gapsX[j] : undefined;
  };

  items.forEach((it, i) => {
    const geo = geometry(it.first, yOf, xOf);
    if (it.members.length > 1) {
      const lg = geometry(it.last, yOf, xOf);
      geo.lx0 = lg.x0;
      geo.ly0 = lg.y0;
      geo.lx1 = lg.x1;
      geo.ly1 = lg.y1;
      space.addSeg({ x0: lg.x0, y0: lg.y0, x1: lg.x1, y1: lg.y1, owner: i });
      space.addSeg({ x0: geo.x1, y0: geo.y1, x1: lg.x1, y1: lg.y1, owner: i });
      space.addSeg({ x0: geo.x0, y0: geo.y0, x1: lg.x0, y1: lg.y0, owner: i });
    }
    geoms.push(geo);
    space.addSeg({ x0: geo.x0, y0: geo.y0, x1: geo.x1, y1: geo.y1, owner: i });
    near.set(i, [geo, { x0: geo.lx0, y0: geo.ly0, x1: geo.lx1, y1: geo.ly1 }]);
    if (geo.cross) {
      // No label covers the cross: not even the arrow's own (the reason beside it).
      space.addSeg({ x0: geo.x1 - 7, y0: geo.y1 - 7, x1: geo.x1 + 7, y1: geo.y1 + 7, owner: i, cross: true });
      space.addSeg({ x0: geo.x1 - 7, y0: geo.y1 + 7, x1: geo.x1 + 7, y1: geo.y1 - 7, owner: i, cross: true });
    }
  });

  items.forEach((it, i) => {
    const a = it.first;
    const geo = geoms[i]!;
    const startKey = `${a.t0}|${a.seq0}`;
    // The row where an arrow ends: its arrival, the drop that ended it, else (lost, or dropped
    // where it left) the row it starts on, as geometry() draws it.
    const endOf = (x: Arrow): string => (x.t1 !== null ? `${x.t1}|${x.seq1}` : x.end && x.end.kind !== 'lost' && x.end.at !== x.from ? `${x.end.t}|${x.end.seq}` : `${x.t0}|${x.seq0}`);
    const endKey = endOf(it.last);
    // The arrow's label: in a gap between two lanes it crosses, above its line (or below).
    const grouped = it.members.length > 1;
    const head = grouped ? (a.method === 'SEND' ? `SEND ×${it.members.length} chunks` : a.method === 'REPORT' ? `REPORT ×${it.members.length}` : `${a.label.split(' ').slice(0, -1).join(' ')} ×${it.members.length}`) : a.label;
    const second = grouped
      ? a.method === 'SEND'
        ? `${a.messageId ?? ''} ${it.covers}`.trim()
        : a.method === 'REPORT'
          ? `${a.sub.startsWith('000 ') ? a.sub.slice(0, 7) + ' ' : ''}${it.covers}`
          : `to the chunks of ${a.messageId ?? (model.arrows.find((x) => x.transactionId === a.transactionId && x.method === 'SEND')?.messageId ?? 'the message')}`
      : a.sub;
    const lines: LabelSpec['lines'] = [];
    // A head too wide for a gap is said on two lines: `401 Unauthorized` over the transaction id.
    const cut = head.lastIndexOf(' ');
    if (textWidth(head, CH_BOLD) > laneW - 16 && cut > 0) lines.push({ text: head.slice(0, cut), cls: 'label', ch: CH_BOLD }, { text: head.slice(cut + 1), cls: 'label', ch: CH_BOLD });
    else lines.push({ text: head, cls: 'label', ch: CH_BOLD });
    if (second) lines.push({ text: second, cls: 'paths', ch: CH_SMALL });
    if (a.kind === 'msrp' && !grouped) {
      const pl = `To: ${a.toPath.map(model.nodeOfUri).join(' ')}  From: ${a.fromPath.map(model.nodeOfUri).join(' ')}`;
      lines.push({ text: pl, cls: 'paths', ch: CH_SMALL });
    }
    const spanL = Math.min(geo.x0, geo.x1, geo.lx0, geo.lx1);
    const spanR = Math.max(geo.x0, geo.x1, geo.lx0, geo.lx1);
    const mid = (geo.x0 + geo.x1) / 2;
    // The gaps the arrow crosses, nearest its middle first; at most MAX_GAPS of them, so that a
    // label on an arrow across hundreds of lanes tries the places near its middle and then has
    // rows spread, rather than trying every gap along the way.
    const inner = gapsX
      .slice(firstGap(gapsX, (g) => g[0] >= spanL - 0.5), firstGap(gapsX, (g) => g[1] > spanR + 0.5))
      .sort((p, q) => Math.abs((p[0] + p[1]) / 2 - mid) - Math.abs((q[0] + q[1]) / 2 - mid))
      .slice(0, MAX_GAPS);
    const useGaps = inner.length > 0 ? inner : [gapAt(geo.x0, geo.x1 >= geo.x0 ? 1 : -1) ?? [spanL, spanR + 60]];
    // Next to the line, never farther: a label that drifts off its arrow is read as another
    // arrow's (a column of them is a stack no one can follow). Where no place is free, the rows
    // are spread instead. In order: nearer first (dy 0, 10, 22), then the gap, then the anchor
    // (centred, at the gap's left, at its right), then above the (first) line or below the
    // (last) one, clear of it over the label's width. Made when asked for: most labels take the first.
    const perDy = useGaps.length * 6;
    const cands = (k: number): Candidate | undefined => {
      if (k >= 3 * perDy) return undefined;
      const dy = DY[Math.floor(k / perDy)]!;
      const [gl, gr] = useGaps[Math.floor((k % perDy) / 6)]!;
      const place = Math.floor((k % 6) / 2);
      const x = place === 0 ? (gl + gr) / 2 : place === 1 ? gl + 7 : gr - 7;
      return { x, anchor: ANCHORS[place]!, maxW: gr - gl - 12, rest: k % 2 === 0 ? 'above' : 'below', y: 0, dy };
    };
    // Spreading the rows where its line (a band's first and last) starts and ends moves that line
    // away from the lines before it along its whole length, not at one end only.
    const slots = grouped ? [startKey, endOf(a), `${it.last.t0}|${it.last.seq0}`, endKey] : [startKey, endKey];
    specs.push({ owner: i, lines, candidate: cands, layer: 'main', slots, line: geo, last: grouped ? { x0: geo.lx0, y0: geo.ly0, x1: geo.lx1, y1: geo.ly1 } : geo });
    // The path rewrite, once per message and hop, beside the relay's lane where the arrow leaves.
    if (it.sayChange && a.pathChange) {
      const removed = a.pathChange.toRemoved.map(model.nodeOfUri).join(' ');
      const added = a.pathChange.fromAdded.map(model.nodeOfUri).join(' ');
      specs.push(sideSpec(i, [{ text: `To-Path −${removed || '∅'}`, cls: 'change', ch: CH_SMALL }, { text: `From-Path +${added || '∅'}`, cls: 'change', ch: CH_SMALL }], geo.x0, geo.y0, geo.x1 >= geo.x0 ? -1 : 1, gapAt, 'main', [startKey]));
    }
    // Why a frame never arrived, beside its cross.
    if (geo.cross) {
      const why = a.end ? `${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}${a.end.rule ? ` [${a.end.rule}]` : ''}` : 'not received';
      const dir: 1 | -1 = geo.x1 >= geo.x0 ? 1 : -1;
      specs.push({ ...sideSpec(i, [{ text: why, cls: 'why', ch: CH_SMALL }], geo.x1, geo.y1, dir, gapAt, 'main', [endKey], true), pinned: true });
    }
    // What the receiver did with it; TCP-level notes in their own layer.
    const yEnd = grouped ? geo.ly1 : geo.y1;
    const xEnd = grouped ? geo.lx1 : geo.x1;
    for (const member of it.members) {
      for (const n of member.notes) {
        if (grouped && !n.tcp && member !== it.first) continue;
        const x = xOf(n.node);
        const text = `${n.text}${n.rule ? ` [${n.rule}]` : ''}`;
        const dir: 1 | -1 = xEnd >= geo.x0 ? 1 : -1;
        const spec = sideSpec(i, [{ text, cls: n.tcp ? 'tcp-note' : n.error ? 'why' : 'note', ch: CH_SMALL }], x, x === xEnd ? yEnd + 10 : (geo.y0 + yEnd) / 2, dir, gapAt, n.tcp ? 'tcp' : 'main', [endKey]);
        if (n.tcp) spec.of = it.first.id;
        specs.push(spec);
      }
    }
  });
  markers.forEach((mk, j) => {
    const key = `${mk.t}|${mk.seq}`;
    const label = `${mk.text}${mk.rule ? ` [${mk.rule}]` : ''}`;
    near.set(-j - 1, [{ x0: xOf(mk.node), y0: yOf(key), x1: xOf(mk.node), y1: yOf(key) }]);
    specs.push(sideSpec(-j - 1, [{ text: label, cls: `mtext m-${mk.kind}`, ch: CH_MARK }], xOf(mk.node), yOf(key) - 6, 1, gapAt, 'main', [key]));
  });

  // Labels in order of time (the arrow's start), so that earlier ones keep their natural place.
  const placedAt = new Map<number, PlacedLabel>();
  const crowded = new Set<string>();
  const firstOf = (sp: LabelSpec): Candidate | undefined => sp.candidate(0);
  const firstY = (sp: LabelSpec): number => {
    const c = firstOf(sp);
    return c === undefined ? 0 : topOf(sp, c, c.x, c.x, 0);
  };
  // A pinned label is placed just before its arrow's own label (the one label of an owner that
  // may touch its lines) when that one would come first.
  const arrowY = new Map<number, number>();
  for (const sp of specs) if (!arrowY.has(sp.owner) && !sp.clearOfOwn) arrowY.set(sp.owner, firstY(sp));
  const timed = specs.map((sp, i) => ({ sp, i, y: firstY(sp) })).sort((p, q) => p.y - q.y || p.i - q.i);
  const order = timed
    .map((e) => ({ ...e, y: e.sp.pinned ? Math.min(e.y, arrowY.get(e.sp.owner) ?? Infinity) : e.y }))
    .sort((p, q) => p.y - q.y || Number(q.sp.pinned ?? false) - Number(p.sp.pinned ?? false) || p.i - q.i);
  const boxOf = (sp: LabelSpec, c: Candidate, lines: readonly PlacedLine[]): Box => {
    let w = 0;
    for (const l of lines) w = Math.max(w, textWidth(l.text, l.ch));
    w += 4;
    const x0 = c.anchor === 'middle' ? c.x - w / 2 : c.anchor === 'start' ? c.x - 2 : c.x - w + 2;
    const h = lines.length * LINE_H;
    const y0 = topOf(sp, c, x0, x0 + w, h);
    return { x0, y0, x1: x0 + w, y1: y0 + h };
  };
  // A label's lines wrapped to a width, asked for again for every place and every shift tried:
  // made once per label and width.
  type Wraps = Map<LabelSpec, Map<number, PlacedLine[] | null>>;
  const once = (cache: Wraps, sp: LabelSpec, maxW: number, make: () => PlacedLine[] | null): PlacedLine[] | null => {
    let byWidth = cache.get(sp);
    if (byWidth === undefined) cache.set(sp, (byWidth = new Map()));
    let lines = byWidth.get(maxW);
    if (lines === undefined) byWidth.set(maxW, (lines = make()));
    return lines;
  };
  const wraps: Wraps = new Map();
  const narrows: Wraps = new Map();
  const wrapped = (sp: LabelSpec, maxW: number): PlacedLine[] => once(wraps, sp, maxW, () => sp.lines.flatMap((l) => wrap(l.text, l.ch, maxW).map((text) => ({ text, cls: l.cls, ch: l.ch }))))!;
  // Narrower than the place: only between words (a number cut in two would read as two).
  const narrowed = (sp: LabelSpec, maxW: number): PlacedLine[] | null =>
    once(narrows, sp, maxW, () => {
      const out: PlacedLine[] = [];
      for (const l of sp.lines) {
        const parts = wrapWords(l.text, l.ch, maxW);
        if (parts === null) return null;
        for (const text of parts) out.push({ text, cls: l.cls, ch: l.ch });
      }
      return out;
    });
  let bottom = lastY;
  // Whether a box is a place for the label: below the lane heads, off the lanes; free, or taken
  // only by its own arrow's things, or by another's.
  const verdict = (sp: LabelSpec, box: Box): Verdict | 'never' => {
    // Above, the lane heads; below, the page grows to take it (lastY, returned).
    if (box.y0 < TOP - 26 || meetsLane(lanesX, box)) return 'never';
    return space.check(box, sp.owner, sp.clearOfOwn ?? false);
  };
  const put = (sp: LabelSpec, c: Candidate, lines: readonly PlacedLine[], box: Box): PlacedLabel => {
    space.add(box, sp.owner);
    bottom = Math.max(bottom, box.y1 - 28);
    return { spec: sp, x: c.x, y: box.y0, anchor: c.anchor, lines: lines.map(({ text, cls }) => ({ text, cls })) };
  };
  for (const { sp, i } of order) {
    let placed: PlacedLabel | null = null;
    // Whether another arrow's things stand in the way of a place, which spreading the rows clears.
    let other = false;
    // Each line whole first; lines wrapped to the place's width only where no place takes them
    // whole; then to half of it, a taller and narrower label for the wedge between two arrows
    // that leave a lane together.
    const whole: PlacedLine[] = sp.lines;
    for (const narrow of [0, 1, 0.55]) {
      for (let k = 0, c = sp.candidate(0); c !== undefined; c = sp.candidate(++k)) {
        let lines = whole;
        if (narrow === 0) {
          if (!sp.lines.every((l) => fits(l.text, l.ch, c.maxW))) continue;
        } else if (narrow === 1) lines = wrapped(sp, c.maxW);
        else {
          const n = narrowed(sp, c.maxW * narrow);
          if (n === null) continue;
          lines = n;
        }
        const box = boxOf(sp, c, lines);
        const v = verdict(sp, box);
        if (v === 'other') other = true;
        if (v !== 'free') continue;
        placed = put(sp, c, lines, box);
        break;
      }
      if (placed) break;
    }
    // Only its own arrow in the way (its line, its cross, its other labels: a frame lost on its
    // way carries them all on one row): spreading moves them together and cannot help, so the
    // label moves off its places, up or down a few pixels at a time, while it stays next to its
    // arrow.
    if (!placed && !other) placed = shifted(sp);
    if (!placed) {
      // The rows beside it are spread and the page laid out again (drawPage); until then it stands
      // at its first place.
      for (const k of sp.slots) crowded.add(k);
      const c = firstOf(sp)!;
      const lines = wrapped(sp, c.maxW);
      placed = { spec: sp, x: c.x, y: boxOf(sp, c, lines).y0, anchor: c.anchor, lines: lines.map(({ text, cls }) => ({ text, cls })) };
    }
    placedAt.set(i, placed);
  }
  function shifted(sp: LabelSpec): PlacedLabel | null {
    const lines = near.get(sp.owner) ?? [];
    for (let d = 6; d <= SHIFT; d += 6) {
      for (let k = 0, c = sp.candidate(0); c !== undefined; c = sp.candidate(++k)) {
        const text = sp.lines.every((l) => fits(l.text, l.ch, c.maxW)) ? sp.lines : wrapped(sp, c.maxW);
        const at = boxOf(sp, c, text);
        for (const dy of [-d, d]) {
          const box = { x0: at.x0, y0: at.y0 + dy, x1: at.x1, y1: at.y1 + dy };
          if (verdict(sp, box) !== 'free' || !lines.some((s) => segmentToBox(s, box) <= NEAR)) continue;
          return put(sp, c, text, box);
        }
      }
    }
    return null;
  }
  // Drawn in order of time, whatever order they were placed in.
  const labels = timed.map((e) => placedAt.get(e.i)!);
  return { yOf, lastY: bottom, ticks, gaps, labels, geoms, crowded };
}

/** A line of an arrow, from (x0, y0) to (x1, y1). */
interface Line {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The line's height at x, or at its nearer end where x is beyond it (a frame lost on its way is a
 * short line: a label over its extension would stand off it).
 */
function yAt(x: number, l: Line): number {
  if (l.x1 === l.x0) return l.y0;
  const xc = Math.min(Math.max(x, Math.min(l.x0, l.x1)), Math.max(l.x0, l.x1));
  return l.y0 + ((l.y1 - l.y0) * (xc - l.x0)) / (l.x1 - l.x0);
}

/** The top of candidate `c`'s box of height `h` spanning x0..x1. */
function topOf(sp: LabelSpec, c: Candidate, x0: number, x1: number, h: number): number {
  if (c.rest === 'centre') return c.y - h / 2 + c.dy;
  const first = sp.line!;
  if (c.rest === 'above') return Math.min(yAt(x0, first), yAt(x1, first)) - 3 - h - c.dy;
  const last = sp.last!;
  return Math.max(yAt(x0, last), yAt(x1, last), yAt(x0, first), yAt(x1, first)) + 3 + c.dy;
}

function meetsLane(lanesX: number[], box: Box): boolean {
  for (const lx of lanesX) if (lx > box.x0 - 3 && lx < box.x1 + 3) return true;
  return false;
}

/** A label beside a lane at (x, y): in the gap on side `dir`, else the other, a little up or down. */
function sideSpec(owner: number, lines: LabelSpec['lines'], x: number, y: number, dir: 1 | -1, gapAt: (x: number, dir: 1 | -1) => [number, number] | undefined, layer: 'main' | 'tcp', slots: string[], atCross = false): LabelSpec {
  const candidates: Candidate[] = [];
  for (const d of [dir, dir > 0 ? -1 : 1] as const) {
    const gap = gapAt(x, d);
    if (!gap) continue;
    for (const dy of [0, -12, 12, -24, 24, 36, -36, 48]) {
      const w = gap[1] - gap[0] - 14;
      const off = atCross ? 10 : 7;
      // Centred on y with the lines as drawn (a text wrapped to the gap has more of them).
      if (d > 0) candidates.push({ x: gap[0] + off, rest: 'centre', y, dy, anchor: 'start', maxW: w });
      else candidates.push({ x: gap[1] - off, rest: 'centre', y, dy, anchor: 'end', maxW: w });
    }
  }
  return { owner, lines, candidate: (k) => candidates[k], layer, slots, clearOfOwn: true };
}

function geometry(a: Arrow, yOf: (k: string) => number, xOf: (id: string) => number): Geometry {
  const x0 = xOf(a.from);
  const y0 = yOf(`${a.t0}|${a.seq0}`);
  let x1: number;
  let y1: number;
  let cross = false;
  if (a.t1 !== null && a.seq1 !== null) {
    x1 = xOf(a.to);
    y1 = yOf(`${a.t1}|${a.seq1}`);
  } else if (a.end && a.end.kind !== 'lost' && a.end.at !== a.from) {
    x1 = xOf(a.end.at);
    y1 = yOf(`${a.end.t}|${a.end.seq}`);
    cross = true;
  } else {
    // Never arrived (no drop seen, or lost before it left): part of the way, then a cross.
    // 0.4 of the way keeps the cross off the lanes between (it would read as their drop).
    const xt = xOf(a.to);
    x1 = x0 + (xt - x0) * 0.4;
    y1 = y0 + ROW * 0.8;
    cross = true;
  }
  if (x1 === x0) x1 = x0 + 30; // a node talking to itself
  return { x0, y0, x1, y1, lx0: x0, ly0: y0, lx1: x1, ly1: y1, cross };
}


export function timeGap(dt: Micros): number {
  // 10 ms -> about 16 px, 1 s -> 36 px, a minute -> 54 px: long idle gaps are compressed.
  return Math.min(60, 6 + 10 * Math.log10(1 + dt / 1000));
}
