import type { PipelineSnapshot } from '@pizza/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { cn } from '@/lib/cn';
import { layoutFlow, ms, rate, type FlowEdge, type FlowNode } from './flow-layout';
import { FLOW_THRESHOLDS, groupTone, TONE_MARKS, TONE_WORDS, type FlowTone } from './flow-tone';

/** Stroke of an edge by tone: colour, and a width and dash pattern so the tone does not rest on colour alone. */
const EDGE_STYLE: Record<FlowTone, { className: string; width: number; dash?: string }> = {
  ok: { className: 'stroke-success', width: 2 },
  amber: { className: 'stroke-warning', width: 3, dash: '8 4' },
  red: { className: 'stroke-destructive', width: 4, dash: '2 3' },
};

const NODE_STYLE: Record<FlowNode['kind'], string> = {
  producer: 'fill-secondary stroke-border',
  stream: 'fill-accent stroke-input',
  group: 'fill-card stroke-border',
  tail: 'fill-card stroke-border',
};

/** Width of the drawing area, followed as the page resizes. */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/** One sentence per stream for screen readers; the table below has every number. */
function describe(snapshot: PipelineSnapshot): string {
  return snapshot.streams
    .map((stream) => {
      const from = stream.producers.length ? stream.producers.map((p) => p.service).join(' and ') : 'no publisher seen yet';
      const readers = [
        ...stream.groups.map((g) => `${g.name} ${rate(g.handler?.ackedPerSecond ?? g.deliveredPerSecond)} (${TONE_WORDS[groupTone(g)]}, p50 ${ms(g.handler?.p50Ms ?? null)}, p99 ${ms(g.handler?.p99Ms ?? null)})`),
        ...stream.tails.map((t) => `${t.services.join(' and ')} on every replica ${rate(t.ackedPerSecond)}`),
      ];
      return `${stream.name}: ${rate(stream.perSecond)} from ${from}; read by ${readers.length ? readers.join(', ') : 'nobody'}.`;
    })
    .join(' ');
}

function Edge({ edge, arrow }: { edge: FlowEdge; arrow: string }) {
  const style = EDGE_STYLE[edge.tone];
  return (
    <g data-edge={edge.id} data-tone={edge.tone}>
      <path d={edge.d} fill="none" className={style.className} strokeWidth={style.width} strokeDasharray={style.dash} markerEnd={`url(#${arrow})`} />
      <text x={edge.labelX} y={edge.labelY} textAnchor="middle" className="fill-foreground text-[11px] font-semibold tabular-nums" paintOrder="stroke" stroke="var(--color-card)" strokeWidth={4} data-rate>
        {edge.label}
      </text>
    </g>
  );
}

function Node({ node, prefix }: { node: FlowNode; prefix: string }) {
  const clip = `${prefix}-clip-${node.id.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <g data-node={node.id} data-kind={node.kind} data-tone={node.tone}>
      <clipPath id={clip}>
        <rect x={node.x} y={node.y} width={node.w} height={node.h} />
      </clipPath>
      <rect
        x={node.x + 0.5}
        y={node.y + 0.5}
        width={node.w - 1}
        height={node.h - 1}
        rx={8}
        className={cn(NODE_STYLE[node.kind], node.tone !== 'ok' && EDGE_STYLE[node.tone].className)}
        strokeWidth={node.tone === 'ok' ? 1 : EDGE_STYLE[node.tone].width}
        strokeDasharray={node.kind === 'tail' ? '4 3' : undefined}
      />
      <text clipPath={`url(#${clip})`} className="fill-foreground">
        {node.lines.map((line, i) => (
          <tspan key={i} x={node.x + 10} y={node.y + 8 + 12 + i * 16} className={i === 0 ? 'text-[13px] font-semibold' : 'fill-muted-foreground text-[11px] tabular-nums'}>
            {line}
          </tspan>
        ))}
      </text>
    </g>
  );
}

function Legend() {
  return (
    <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-2 text-xs text-muted-foreground" aria-label="Legend">
      {(['ok', 'amber', 'red'] as const).map((tone) => (
        <li key={tone} className="flex items-center gap-2">
          <svg width="36" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="36" y2="5" className={EDGE_STYLE[tone].className} strokeWidth={EDGE_STYLE[tone].width} strokeDasharray={EDGE_STYLE[tone].dash} />
          </svg>
          <span>
            <span className="font-semibold text-foreground">
              {TONE_WORDS[tone]}
              {TONE_MARKS[tone]}
            </span>
            {tone === 'ok' && ' solid line'}
            {tone === 'amber' && ` dashed: lag ≥ ${FLOW_THRESHOLDS.amber.lag}, oldest pending ≥ ${FLOW_THRESHOLDS.amber.oldestPendingMs / 1000} s, or failures`}
            {tone === 'red' && ` dotted, thick: lag ≥ ${FLOW_THRESHOLDS.red.lag} or oldest pending ≥ ${FLOW_THRESHOLDS.red.oldestPendingMs / 1000} s`}
          </span>
        </li>
      ))}
      <li>Edge numbers: entries per second; dashed box: broadcast reader (every replica).</li>
    </ul>
  );
}

/**
 * The pipeline as a flow diagram drawn from the live snapshot: who publishes into each stream, the
 * stream, and each group or broadcast reader, with rates on the arrows and handler p50/p99 in the boxes.
 */
export function PipelineFlow({ snapshot }: { snapshot: PipelineSnapshot }) {
  const { ref, width } = useWidth();
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const layout = width > 0 ? layoutFlow(snapshot, width) : null;
  return (
    <figure className="mb-4 min-w-0" data-testid="pipeline-flow">
      <div ref={ref} className="w-full">
        {layout && (
          <svg
            role="img"
            aria-labelledby={`${id}-title ${id}-desc`}
            width={layout.width}
            height={layout.height + 2}
            viewBox={`0 -1 ${layout.width} ${layout.height + 2}`}
            className="block max-w-full"
          >
            <title id={`${id}-title`}>Event flow: publishers, streams and their readers</title>
            <desc id={`${id}-desc`}>{describe(snapshot)}</desc>
            <defs>
              <marker id={`${id}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" className="fill-muted-foreground" />
              </marker>
            </defs>
            {layout.nodes.map((node) => (
              <Node key={node.id} node={node} prefix={id} />
            ))}
            {layout.edges.map((edge) => (
              <Edge key={edge.id} edge={edge} arrow={`${id}-arrow`} />
            ))}
          </svg>
        )}
      </div>
      <figcaption className="sr-only">The table below lists the same numbers.</figcaption>
      <Legend />
      <p className="mt-1 text-xs text-muted-foreground">
        Rates over the last {snapshot.windows.rateSeconds} s, handler p50/p99 over the last {snapshot.windows.latencySeconds} s.
      </p>
    </figure>
  );
}
