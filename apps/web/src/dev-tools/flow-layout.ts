import type { HandlerStats, PipelineSnapshot, PipelineStream } from '@pizza/contracts';
import { groupTone, TONE_MARKS, type FlowTone } from './flow-tone';

/** A box of the diagram: a producing service, a stream, or a reader (group or broadcast tail). */
export interface FlowNode {
  id: string;
  kind: 'producer' | 'stream' | 'group' | 'tail';
  x: number;
  y: number;
  w: number;
  h: number;
  /** First line bold, the rest small. */
  lines: string[];
  tone: FlowTone;
}

export interface FlowEdge {
  id: string;
  /** SVG path data. */
  d: string;
  label: string;
  labelX: number;
  labelY: number;
  tone: FlowTone;
}

export interface FlowLayout {
  width: number;
  height: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Below this width the lanes are drawn top to bottom instead of left to right. */
export const NARROW_WIDTH = 640;
const LINE = 16;
const PAD = 8;
const GAP = 12;

export const rate = (perSecond: number | null | undefined) => (perSecond === null || perSecond === undefined ? '–/s' : `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`);
export const ms = (value: number | null) => (value === null ? '–' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);
const latency = (handler: HandlerStats | null) => (handler ? `p50 ${ms(handler.p50Ms)} · p99 ${ms(handler.p99Ms)}` : 'p50 – · p99 –');
const height = (lines: number) => lines * LINE + 2 * PAD;

interface Reader {
  id: string;
  kind: 'group' | 'tail';
  lines: string[];
  tone: FlowTone;
  edgeLabel: string;
}

function readersOf(stream: PipelineStream): Reader[] {
  const groups: Reader[] = stream.groups.map((group) => {
    const tone = groupTone(group);
    return {
      id: `${stream.name}/${group.name}`,
      kind: 'group',
      lines: [
        group.name,
        group.handler?.services.length ? `${group.handler.services.join(', ')} · ${group.handler.instances} instance${group.handler.instances === 1 ? '' : 's'}` : 'no process reports timings',
        latency(group.handler),
        `lag ${group.lag ?? '?'} · pending ${group.pending} · oldest ${(group.oldestPendingMs / 1000).toFixed(1)} s`,
      ],
      tone,
      edgeLabel: `${rate(group.handler ? group.handler.ackedPerSecond : group.deliveredPerSecond)}${TONE_MARKS[tone]}`,
    };
  });
  const tails: Reader[] = stream.tails.map((tail) => ({
    id: `${stream.name}/tail/${tail.services.join(',')}`,
    kind: 'tail',
    lines: [tail.services.join(', '), `no group: every replica reads · ${tail.instances} instance${tail.instances === 1 ? '' : 's'}`, latency(tail)],
    tone: 'ok',
    edgeLabel: rate(tail.ackedPerSecond),
  }));
  return [...groups, ...tails];
}

function producerOf(stream: PipelineStream): { lines: string[]; label: string } {
  const names = stream.producers.map((p) => p.service);
  return { lines: [names.length ? names.join(', ') : 'no publisher seen yet'], label: rate(stream.perSecond) };
}

const streamLines = (stream: PipelineStream) => [stream.name, `length ${stream.length} · ${stream.entriesAdded} added`];

/**
 * Where every box and arrow goes, one lane per stream: who publishes → the stream → each group
 * and broadcast reader. Wide: left to right, three columns. Narrow (phones): top to bottom.
 */
export function layoutFlow(snapshot: PipelineSnapshot, width: number): FlowLayout {
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  const narrow = width < NARROW_WIDTH;
  let y = 0;
  for (const stream of snapshot.streams) {
    const readers = readersOf(stream);
    const producer = producerOf(stream);
    const streamId = `stream/${stream.name}`;
    if (!narrow) {
      const edgeGap = Math.min(120, Math.max(80, width * 0.12));
      const col = (width - 2 * edgeGap) / 3;
      const readerH = height(4);
      const laneH = Math.max(1, readers.length) * (readerH + GAP) - GAP;
      const mid = y + laneH / 2;
      const sH = height(2);
      const pH = height(1);
      nodes.push({ id: `producer/${stream.name}`, kind: 'producer', x: 0, y: mid - pH / 2, w: col, h: pH, lines: producer.lines, tone: 'ok' });
      nodes.push({ id: streamId, kind: 'stream', x: col + edgeGap, y: mid - sH / 2, w: col, h: sH, lines: streamLines(stream), tone: 'ok' });
      edges.push({ id: `${streamId}/in`, d: `M${col},${mid} H${col + edgeGap}`, label: producer.label, labelX: col + edgeGap / 2, labelY: mid - 6, tone: 'ok' });
      readers.forEach((reader, i) => {
        const ry = y + i * (readerH + GAP);
        const rx = 2 * (col + edgeGap);
        nodes.push({ id: reader.id, kind: reader.kind, x: rx, y: ry, w: col, h: readerH, lines: reader.lines, tone: reader.tone });
        const x0 = 2 * col + edgeGap;
        const y1 = ry + readerH / 2;
        edges.push({
          id: `${reader.id}/in`,
          d: `M${x0},${mid} C${x0 + edgeGap / 2},${mid} ${rx - edgeGap / 2},${y1} ${rx},${y1}`,
          label: reader.edgeLabel,
          labelX: x0 + edgeGap / 2,
          labelY: (mid + y1) / 2 - 6,
          tone: reader.tone,
        });
      });
      y += laneH + 3 * GAP;
    } else {
      const trunk = 20;
      const indent = 88;
      const pH = height(1);
      nodes.push({ id: `producer/${stream.name}`, kind: 'producer', x: 0, y, w: width, h: pH, lines: producer.lines, tone: 'ok' });
      const arrow = 36;
      edges.push({ id: `${streamId}/in`, d: `M${trunk},${y + pH} V${y + pH + arrow}`, label: producer.label, labelX: trunk + 40, labelY: y + pH + arrow / 2 + 4, tone: 'ok' });
      y += pH + arrow;
      const sH = height(2);
      nodes.push({ id: streamId, kind: 'stream', x: 0, y, w: width, h: sH, lines: streamLines(stream), tone: 'ok' });
      y += sH + GAP;
      const top = y - GAP;
      const readerH = height(4);
      readers.forEach((reader) => {
        nodes.push({ id: reader.id, kind: reader.kind, x: indent, y, w: width - indent, h: readerH, lines: reader.lines, tone: reader.tone });
        const y1 = y + readerH / 2;
        edges.push({ id: `${reader.id}/in`, d: `M${trunk},${top} V${y1} H${indent}`, label: reader.edgeLabel, labelX: (trunk + indent) / 2 + 6, labelY: y1 - 6, tone: reader.tone });
        y += readerH + GAP;
      });
      y += 2 * GAP;
    }
  }
  return { width, height: Math.max(0, y - 2 * GAP), nodes, edges };
}
