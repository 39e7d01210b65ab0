/**
 * Draws one run's timeline as SVG: a lane per peer over virtual time, with
 * its role and term as coloured bands, its commit and applied index as
 * steps, spans cut off from the network hatched, crashes and restarts
 * marked, RPCs as arrows between the lanes (lost ones ending in a cross,
 * long-held replies in orange, delayed requests dashed, InstallSnapshots
 * bold and labelled with the last index they carry) and the failure as a
 * red line. Wheel or drag to zoom and pan (or, once it has focus, the
 * keys: arrows pan, + and - zoom, 0 the whole run, f the failure); hovering
 * shows what was there and the log lines written at that moment.
 *
 * Only what is in view is in the DOM, so a long run stays responsive; when
 * too many messages are in view, the unremarkable ones are left out and the
 * status line says so.
 */
import { axisTop } from 'd3-axis';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import type { Timeline } from '../harness/timeline.js';
import { bandAt, buildModel, linesAt, linesNear, stepAt, type LogLine, type PeerModel, type Segment, type TimelineModel } from './model.js';

const LEFT = 52;
const RIGHT = 16;
const AXIS_Y = 22;
const NETWORK_Y = 30;
const NETWORK_HEIGHT = 8;
const TESTS_Y = 42;
const TESTS_HEIGHT = 10;
const TOP = 60;
const LANE_HEIGHT = 58;
const LANE_GAP = 22;
const BAND_HEIGHT = 16;
const BOTTOM = 10;
/** More message segments than this in view and only the remarkable ones are drawn. */
export const SEGMENTS_DRAWN_MAX = 2500;
/** How near (px) the pointer must be to a message to pick it. */
const PICK_PX = 6;
/** The failure marker's width. */
const FAILURE_MARKER_PX = 2;
/** The narrowest window a zoom can show, in virtual ms. */
const NARROWEST_MS = 2;
/** How far an arrow key pans: this fraction of the window in view. */
const KEY_PAN_FRACTION = 0.2;
/** How much + and - zoom in or out, about the middle of the view. */
const KEY_ZOOM_FACTOR = 1.5;

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
type Group = Selection<SVGGElement, unknown, null, undefined>;

let instances = 0;

export interface TimelineView {
  /** Shows virtual times [startMs, endMs]. */
  show(startMs: number, endMs: number): void;
  /** The virtual times now in view. */
  domain(): [number, number];
}

export function renderTimeline(host: HTMLElement, timeline: Timeline): TimelineView {
  const model = buildModel(timeline);
  const id = `tl${instances++}`;
  const root = select(host).append('div').attr('class', 'tl');
  const controls = root.append('div').attr('class', 'tl-controls');
  const whole = controls.append('button').attr('type', 'button').attr('data-action', 'whole').text('Whole run');
  const aroundFailure = controls.append('button').attr('type', 'button').attr('data-action', 'failure').text('Around the failure');
  if (timeline.failure === null) aroundFailure.attr('disabled', '');
  controls.append('span').attr('class', 'tl-hint').text('Wheel or + − to zoom, drag or ← → to pan, 0 whole run, f failure; hover for details.');
  const status = controls.append('span').attr('class', 'tl-status');

  const width = Math.max(720, host.clientWidth || 1100);
  const height = TOP + timeline.peers * (LANE_HEIGHT + LANE_GAP) + BOTTOM;
  const plotRight = width - RIGHT;
  const svg: Svg = root
    .append('svg')
    .attr('class', 'tl-svg')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    // Focusable (a click or Tab), so that the keys below reach it.
    .attr('tabindex', 0)
    .attr('aria-label', `timeline of ${timeline.test}, seed ${timeline.seed}: arrows pan, + and - zoom, 0 shows the whole run, f the failure`);
  const defs = svg.append('defs');
  defs.append('clipPath').attr('id', `${id}-clip`).append('rect').attr('x', LEFT).attr('y', 0).attr('width', plotRight - LEFT).attr('height', height);
  const hatch = defs.append('pattern').attr('id', `${id}-hatch`).attr('patternUnits', 'userSpaceOnUse').attr('width', 6).attr('height', 6).attr('patternTransform', 'rotate(45)');
  hatch.append('rect').attr('width', 6).attr('height', 6).attr('class', 'tl-hatch-bg');
  hatch.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('class', 'tl-hatch-line');
  for (const kind of ['append', 'vote', 'snapshot', 'other', 'held']) {
    defs
      .append('marker')
      .attr('id', `${id}-arrow-${kind}`)
      .attr('class', `tl-arrowhead ${kind}`)
      .attr('viewBox', '0 0 8 8')
      .attr('refX', 7)
      .attr('refY', 4)
      .attr('markerWidth', 6)
      .attr('markerHeight', 6)
      .attr('orient', 'auto')
      .append('path')
      .attr('d', 'M0,0 L8,4 L0,8 z');
  }

  // A little room after the end, so that a failure at the very end is not drawn on the edge.
  const x0 = scaleLinear().domain([0, model.viewEndMs]).range([LEFT, plotRight]);
  let x: ScaleLinear<number, number> = x0;

  const axis = svg.append('g').attr('class', 'tl-axis').attr('transform', `translate(0,${AXIS_Y})`);
  svg.append('text').attr('class', 'tl-strip-label').attr('x', LEFT - 6).attr('y', NETWORK_Y + NETWORK_HEIGHT).text('net');
  svg.append('text').attr('class', 'tl-strip-label').attr('x', LEFT - 6).attr('y', TESTS_Y + TESTS_HEIGHT - 1).text('test');
  const labels = svg.append('g').attr('class', 'tl-labels');
  for (let peer = 0; peer < timeline.peers; peer++) {
    labels
      .append('text')
      .attr('class', model.failurePeers.includes(peer) ? 'tl-lane-label blamed' : 'tl-lane-label')
      .attr('x', LEFT - 8)
      .attr('y', laneTop(peer) + LANE_HEIGHT / 2 + 4)
      .text(`S${peer}`);
  }
  const plot: Group = svg.append('g').attr('class', 'tl-plot').attr('clip-path', `url(#${id}-clip)`);
  const network = plot.append('g').attr('class', 'tl-network');
  const tests = plot.append('g').attr('class', 'tl-tests');
  const lanes = plot.append('g').attr('class', 'tl-lanes');
  const laneGroups = Array.from({ length: timeline.peers }, (_, peer) => lanes.append('g').attr('class', 'tl-lane').attr('data-peer', peer));
  const rpcs = plot.append('g').attr('class', 'tl-rpcs');
  const failure = plot.append('g').attr('class', 'tl-failure');
  const overlay = plot.append('rect').attr('class', 'tl-overlay').attr('x', LEFT).attr('y', 0).attr('width', plotRight - LEFT).attr('height', height);
  const tooltip = root.append('div').attr('class', 'tl-tooltip').attr('hidden', '');
  legend(root);

  let drawn: Segment[] = [];
  let hovered: Segment | undefined;

  const draw = () => {
    const [fromMs, toMs] = x.domain() as [number, number];
    axis.call(axisTop(x).ticks(Math.max(2, Math.floor((plotRight - LEFT) / 90))).tickFormat((t) => formatSeconds(Number(t), toMs - fromMs)));
    drawNetwork(network, model, x);
    drawTests(tests, model, x, fromMs, toMs);
    for (let peer = 0; peer < timeline.peers; peer++) drawLane(laneGroups[peer]!, model, model.peers[peer]!, peer, x, fromMs, toMs, id);
    drawn = drawSegments(rpcs, model, x, fromMs, toMs, id, status);
    drawFailure(failure, model, x, height);
  };

  const behaviour: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, Math.max(1, model.viewEndMs / NARROWEST_MS)])
    .extent([
      [LEFT, 0],
      [plotRight, height],
    ])
    .translateExtent([
      [LEFT, 0],
      [plotRight, height],
    ])
    .on('zoom', (event: { transform: ZoomTransform }) => {
      x = event.transform.rescaleX(x0);
      draw();
    });
  svg.call(behaviour);

  const show = (startMs: number, endMs: number) => {
    const from = Math.max(0, startMs);
    const to = Math.min(model.viewEndMs, Math.max(endMs, from + NARROWEST_MS));
    const k = model.viewEndMs / (to - from);
    svg.call(behaviour.transform, zoomIdentity.translate(LEFT - k * x0(from), 0).scale(k));
  };
  const showFailure = () => {
    if (timeline.failure !== null) show(timeline.failure.atMs - 3000, timeline.failure.atMs + 400);
  };
  whole.on('click', () => show(0, model.viewEndMs));
  aroundFailure.on('click', showFailure);

  const middle: [number, number] = [(LEFT + plotRight) / 2, height / 2];
  // A pan moves the view by a share of what is in view, in the zoom's unscaled units; zoom keeps the run's bounds.
  const pan = (direction: number) => svg.call(behaviour.translateBy, (-direction * KEY_PAN_FRACTION * (plotRight - LEFT)) / zoomTransform(svg.node()!).k, 0);
  const keys: Record<string, () => void> = {
    ArrowLeft: () => pan(-1),
    ArrowRight: () => pan(1),
    '+': () => svg.call(behaviour.scaleBy, KEY_ZOOM_FACTOR, middle),
    '=': () => svg.call(behaviour.scaleBy, KEY_ZOOM_FACTOR, middle),
    '-': () => svg.call(behaviour.scaleBy, 1 / KEY_ZOOM_FACTOR, middle),
    '0': () => show(0, model.viewEndMs),
    f: showFailure,
  };
  svg.on('keydown', (event: KeyboardEvent) => {
    const action = event.ctrlKey || event.metaKey || event.altKey ? undefined : keys[event.key];
    if (action === undefined) return;
    // The page must not scroll as well.
    event.preventDefault();
    action();
  });

  overlay.on('mousemove', (event: MouseEvent) => {
    const [mx, my] = pointer(event, svg.node());
    const atMs = x.invert(mx);
    const segment = pick(drawn, x, mx, my);
    if (hovered !== segment) {
      rpcs.selectAll<SVGLineElement, Segment>('line.tl-rpc').classed('hover', (d) => segment !== undefined && d.rpc === segment.rpc);
      hovered = segment;
    }
    const lines = segment !== undefined ? describeRpc(model, segment) : describePoint(model, atMs, my);
    if (lines.length === 0) {
      tooltip.attr('hidden', '');
      return;
    }
    tooltip.selectAll('div').remove();
    for (const [i, line] of lines.entries()) tooltip.append('div').attr('class', i === 0 ? 'tl-tip-head' : /^\d{6,} /.test(line) ? 'tl-tip-log' : 'tl-tip-row').text(line);
    const [hx, hy] = pointer(event, root.node());
    tooltip.attr('hidden', null);
    // Beside the pointer, on whichever side has room, so that it never hides what is being pointed at.
    const tipWidth = tooltip.node()!.offsetWidth;
    const left = hx + 14 + tipWidth <= width ? hx + 14 : Math.max(0, hx - 14 - tipWidth);
    tooltip.style('left', `${left}px`).style('top', `${hy + 14}px`);
  });
  overlay.on('mouseleave', () => {
    tooltip.attr('hidden', '');
    rpcs.selectAll('line.tl-rpc.hover').classed('hover', false);
    hovered = undefined;
  });

  draw();
  // A long run opens on the moments before its failure; a short one whole.
  if (timeline.failure !== null && model.endMs > 4000) show(timeline.failure.atMs - 3000, timeline.failure.atMs + 400);

  return {
    show,
    domain: () => x.domain() as [number, number],
  };
}

function laneTop(peer: number): number {
  return TOP + peer * (LANE_HEIGHT + LANE_GAP);
}

/** The vertical middle of a lane; fractional lanes are points between lanes. */
function laneMiddle(peer: number): number {
  return laneTop(peer) + LANE_HEIGHT / 2;
}

function formatSeconds(ms: number, spanMs: number): string {
  const digits = spanMs < 20 ? 4 : spanMs < 200 ? 3 : spanMs < 2000 ? 2 : 1;
  return `${(ms / 1000).toFixed(digits)}s`;
}

function visible(startMs: number, endMs: number, fromMs: number, toMs: number): boolean {
  return endMs >= fromMs && startMs <= toMs;
}

function drawNetwork(group: Group, model: TimelineModel, x: ScaleLinear<number, number>): void {
  const spans = [
    ...model.unreliable.map((span) => ({ ...span, kind: 'unreliable', label: 'unreliable network: requests delayed 0–27 ms, 10% of requests and of replies lost' })),
    ...model.longReordering.map((span) => ({ ...span, kind: 'reordering', label: 'long reordering: about 2/3 of replies held back 200–2200 ms' })),
  ];
  group
    .selectAll('rect')
    .data(spans)
    .join('rect')
    .attr('class', (d) => `tl-net ${d.kind}`)
    .attr('x', (d) => x(d.startMs))
    .attr('width', (d) => Math.max(1, x(d.endMs) - x(d.startMs)))
    .attr('y', (d) => (d.kind === 'unreliable' ? NETWORK_Y : NETWORK_Y + NETWORK_HEIGHT / 2))
    .attr('height', NETWORK_HEIGHT / 2);
}

function drawTests(group: Group, model: TimelineModel, x: ScaleLinear<number, number>, fromMs: number, toMs: number): void {
  group
    .selectAll('line')
    .data(model.testLines.filter((line) => line.atMs >= fromMs && line.atMs <= toMs))
    .join('line')
    .attr('class', 'tl-test-tick')
    .attr('x1', (d) => x(d.atMs))
    .attr('x2', (d) => x(d.atMs))
    .attr('y1', TESTS_Y)
    .attr('y2', TESTS_Y + TESTS_HEIGHT);
}

function drawLane(group: Group, model: TimelineModel, peer: PeerModel, index: number, x: ScaleLinear<number, number>, fromMs: number, toMs: number, id: string): void {
  const top = laneTop(index);
  group
    .selectAll('rect.tl-lane-bg')
    .data([0])
    .join('rect')
    .attr('class', 'tl-lane-bg')
    .attr('x', LEFT)
    .attr('width', x.range()[1]! - LEFT)
    .attr('y', top)
    .attr('height', LANE_HEIGHT);

  const bands = peer.bands.filter((band) => visible(band.startMs, band.endMs, fromMs, toMs));
  group
    .selectAll('rect.tl-band')
    .data(bands)
    .join('rect')
    .attr('class', (d) => `tl-band ${d.role}`)
    .attr('x', (d) => x(d.startMs))
    .attr('width', (d) => Math.max(0.5, x(d.endMs) - x(d.startMs)))
    .attr('y', top)
    .attr('height', BAND_HEIGHT);
  group
    .selectAll('text.tl-term')
    .data(bands.filter((band) => band.role !== 'down' && x(band.endMs) - x(band.startMs) > 26))
    .join('text')
    .attr('class', 'tl-term')
    .attr('x', (d) => Math.max(x(d.startMs), LEFT) + 3)
    .attr('y', top + BAND_HEIGHT - 4)
    .text((d) => `T${d.term}`);

  group
    .selectAll('rect.tl-cut')
    .data(peer.disconnected.filter((span) => visible(span.startMs, span.endMs, fromMs, toMs)))
    .join('rect')
    .attr('class', 'tl-cut')
    .attr('fill', `url(#${id}-hatch)`)
    .attr('x', (d) => x(d.startMs))
    .attr('width', (d) => Math.max(1, x(d.endMs) - x(d.startMs)))
    .attr('y', top + BAND_HEIGHT)
    .attr('height', 5);

  const indexTop = top + BAND_HEIGHT + 8;
  const indexHeight = LANE_HEIGHT - BAND_HEIGHT - 10;
  const y = (value: number) => indexTop + indexHeight * (1 - value / model.maxIndex);
  group
    .selectAll('path.tl-index')
    .data([
      { kind: 'commit', steps: peer.commit },
      { kind: 'applied', steps: peer.applied },
    ])
    .join('path')
    .attr('class', (d) => `tl-index ${d.kind}`)
    .attr('d', (d) => stepPath(d.steps, x, y, fromMs, toMs));

  // A crash and a restart at one instant (the test restarting a live peer) are one mark.
  const marks = [
    ...peer.crashesMs.filter((atMs) => !peer.restartsMs.includes(atMs)).map((atMs) => ({ atMs, kind: 'crash', text: '✕ crash' })),
    ...peer.restartsMs.map((atMs) => ({ atMs, kind: 'restart', text: peer.crashesMs.includes(atMs) ? '↻ crash + restart' : '▶ restart' })),
  ].filter((mark) => mark.atMs >= fromMs && mark.atMs <= toMs);
  group
    .selectAll('text.tl-mark')
    .data(marks)
    .join('text')
    .attr('class', (d) => `tl-mark ${d.kind}`)
    .attr('x', (d) => x(d.atMs))
    .attr('y', top - 2)
    .text((d) => d.text);
}

function stepPath(steps: readonly { atMs: number; value: number }[], x: ScaleLinear<number, number>, y: (value: number) => number, fromMs: number, toMs: number): string {
  if (steps.length === 0) return '';
  let value = stepAt(steps, fromMs);
  let d = `M${x(fromMs)},${y(value)}`;
  for (const step of steps) {
    if (step.atMs <= fromMs) continue;
    if (step.atMs > toMs) break;
    d += `H${x(step.atMs)}V${y(step.value)}`;
    value = step.value;
  }
  return `${d}H${x(toMs)}`;
}

function methodClass(method: string): 'append' | 'vote' | 'snapshot' | 'other' {
  if (method === 'AppendEntries') return 'append';
  if (method === 'RequestVote') return 'vote';
  if (method === 'InstallSnapshot') return 'snapshot';
  return 'other';
}

/** The label beside an InstallSnapshot's request: the last index it carries, which is what tells one snapshot from another. */
function snapshotLabel(segment: Segment): string {
  return segment.rpc.snapshot === null ? 'snapshot' : `snapshot ≤${segment.rpc.snapshot.index}`;
}

function drawSegments(
  group: Group,
  model: TimelineModel,
  x: ScaleLinear<number, number>,
  fromMs: number,
  toMs: number,
  id: string,
  status: Selection<HTMLSpanElement, unknown, null, undefined>,
): Segment[] {
  let shown = model.segments.filter((segment) => visible(segment.fromMs, segment.toMs, fromMs, toMs));
  const inView = shown.length;
  if (inView > SEGMENTS_DRAWN_MAX) {
    shown = shown.filter((segment) => segment.rpc.fate !== 'ok' || segment.rpc.delayed);
    if (shown.length > SEGMENTS_DRAWN_MAX) shown = shown.slice(0, SEGMENTS_DRAWN_MAX);
    status.text(`${inView} message arrows in view: showing only the ${shown.length} lost, held or delayed ones; zoom in to see all.`);
  } else {
    status.text(`${model.rpcs.length} RPCs in the run, ${inView} arrows in view.`);
  }
  const arrowhead = (segment: Segment) => {
    if (segment.lostAtEnd || segment.rpc.fate === 'in-flight') return null;
    const kind = segment.kind === 'reply' && segment.rpc.fate === 'held' ? 'held' : methodClass(segment.rpc.method);
    return `url(#${id}-arrow-${kind})`;
  };
  group
    .selectAll<SVGLineElement, Segment>('line.tl-rpc')
    .data(shown, (d) => `${d.rpc.id}${d.kind}`)
    .join('line')
    .attr('class', (d) => {
      const classes = ['tl-rpc', d.kind, methodClass(d.rpc.method), d.rpc.fate];
      if (d.kind === 'request' && d.rpc.delayed) classes.push('delayed');
      return classes.join(' ');
    })
    .attr('data-rpc', (d) => d.rpc.id)
    .attr('x1', (d) => x(d.fromMs))
    .attr('y1', (d) => laneMiddle(d.fromPeer))
    .attr('x2', (d) => x(d.toMs))
    .attr('y2', (d) => laneMiddle(d.toPeer))
    .attr('marker-end', arrowhead);
  group
    .selectAll<SVGPathElement, Segment>('path.tl-lost')
    .data(
      shown.filter((segment) => segment.lostAtEnd),
      (d) => `${d.rpc.id}${d.kind}`,
    )
    .join('path')
    .attr('class', (d) => `tl-lost ${d.rpc.fate}`)
    .attr('d', (d) => {
      const cx = x(d.toMs);
      const cy = laneMiddle(d.toPeer);
      return `M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`;
    });
  group
    .selectAll<SVGTextElement, Segment>('text.tl-snapshot-label')
    .data(
      shown.filter((segment) => segment.kind === 'request' && segment.rpc.method === 'InstallSnapshot'),
      (d) => String(d.rpc.id),
    )
    .join('text')
    .attr('class', 'tl-snapshot-label')
    .attr('x', (d) => x(d.toMs) + 4)
    .attr('y', (d) => (laneMiddle(d.fromPeer) + laneMiddle(d.toPeer)) / 2)
    .text(snapshotLabel);
  return shown;
}

function drawFailure(group: Group, model: TimelineModel, x: ScaleLinear<number, number>, height: number): void {
  const failure = model.timeline.failure;
  const data = failure === null ? [] : [failure];
  group
    .selectAll('rect.tl-failure-marker')
    .data(data)
    .join('rect')
    .attr('class', 'tl-failure-marker')
    .attr('x', (d) => x(d.atMs) - FAILURE_MARKER_PX / 2)
    .attr('width', FAILURE_MARKER_PX)
    .attr('y', NETWORK_Y - 2)
    .attr('height', height - BOTTOM - NETWORK_Y + 2);
  group
    .selectAll('text.tl-failure-label')
    .data(data)
    .join('text')
    .attr('class', 'tl-failure-label')
    .attr('x', (d) => x(d.atMs) - 4)
    .attr('y', TESTS_Y + TESTS_HEIGHT)
    .text('✖ failure');
  group
    .selectAll('circle.tl-failure-peer')
    .data(failure === null ? [] : model.failurePeers.map((peer) => ({ peer, atMs: failure.atMs })))
    .join('circle')
    .attr('class', 'tl-failure-peer')
    .attr('cx', (d) => x(d.atMs))
    .attr('cy', (d) => laneTop(d.peer) + BAND_HEIGHT / 2)
    .attr('r', 6);
}

/** The drawn segment nearest the pointer, if one is within PICK_PX. */
function pick(segments: readonly Segment[], x: ScaleLinear<number, number>, mx: number, my: number): Segment | undefined {
  let best: Segment | undefined;
  let bestDistance = PICK_PX;
  for (const segment of segments) {
    const distance = distanceToSegment(mx, my, x(segment.fromMs), laneMiddle(segment.fromPeer), x(segment.toMs), laneMiddle(segment.toPeer));
    if (distance < bestDistance) {
      bestDistance = distance;
      best = segment;
    }
  }
  return best;
}

function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / lengthSquared));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(4)}s`;
}

const OUTCOME_WORDS: Record<string, string> = {
  replied: 'replied',
  'request-lost': 'request lost by the unreliable network',
  'reply-lost': 'reply lost by the unreliable network',
  'reply-discarded': 'reply thrown away: the callee was crashed or cut off meanwhile',
  unreachable: 'never delivered: the end was disabled or the callee down; the caller gave up',
};

/** The hover text for a message: what it was, its way and fate, and the log lines at each end. */
function describeRpc(model: TimelineModel, segment: Segment): string[] {
  const rpc = segment.rpc;
  const lines = [`${rpc.method} S${rpc.from} → S${rpc.to}`];
  if (rpc.snapshot !== null) lines.push(`snapshot of the log through index ${rpc.snapshot.index} (term ${rpc.snapshot.term})`);
  lines.push(`sent ${ms(rpc.sentMs)}${rpc.delayed ? `, delayed ${rpc.delayMs} ms in the network` : ''}`);
  if (rpc.deliveredMs !== null) lines.push(`delivered ${ms(rpc.deliveredMs)}`);
  if (rpc.holdMs !== null) lines.push(`reply held back ${rpc.holdMs} ms (long reordering)`);
  lines.push(rpc.outcome === null ? 'still in flight when the run ended' : `${OUTCOME_WORDS[rpc.outcome] ?? rpc.outcome}${rpc.endedMs === null ? '' : ` at ${ms(rpc.endedMs)}`}`);
  lines.push(`args: ${rpc.args}`);
  if (rpc.reply !== null) lines.push(`reply: ${rpc.reply}`);
  const logLines: LogLine[] = [...linesAt(model.peers[rpc.from]?.log ?? [], rpc.sentMs)];
  if (rpc.deliveredMs !== null) logLines.push(...linesAt(model.peers[rpc.to]?.log ?? [], rpc.deliveredMs));
  if (rpc.endedMs !== null) logLines.push(...linesAt(model.peers[rpc.from]?.log ?? [], rpc.endedMs));
  return [...lines, ...dedupe(logLines).map((line) => line.text)];
}

/** The hover text for a point of a lane or strip: the state there and the nearest log lines. */
function describePoint(model: TimelineModel, atMs: number, my: number): string[] {
  if (my >= TESTS_Y - 2 && my <= TESTS_Y + TESTS_HEIGHT + 2) {
    const near = linesNear(model.testLines, atMs, 3);
    return near.length === 0 ? [] : [`test at ${ms(near[0]!.atMs)}`, ...near.map((line) => line.text)];
  }
  if (my >= NETWORK_Y - 2 && my < TESTS_Y - 2) {
    const unreliable = model.unreliable.some((span) => atMs >= span.startMs && atMs < span.endMs);
    const reordering = model.longReordering.some((span) => atMs >= span.startMs && atMs < span.endMs);
    return [`network at ${ms(atMs)}`, unreliable ? 'unreliable' : 'reliable', reordering ? 'long reordering on' : 'long reordering off'];
  }
  const peer = Math.floor((my - TOP) / (LANE_HEIGHT + LANE_GAP));
  const lane = model.peers[peer];
  if (lane === undefined || my - laneTop(peer) > LANE_HEIGHT) return [];
  const band = bandAt(lane, atMs);
  const lines = [`S${peer} at ${ms(atMs)}`];
  if (band !== undefined) lines.push(band.role === 'down' ? 'down (crashed)' : `${band.role}, term ${band.term}`);
  if (lane.disconnected.some((span) => atMs >= span.startMs && atMs < span.endMs)) lines.push('cut off from the network');
  if (model.timeline.inspected) lines.push(`commit index ${stepAt(lane.commit, atMs)}, applied ${stepAt(lane.applied, atMs)}`);
  else lines.push(`applied ${stepAt(lane.applied, atMs)} (no inspect(): commit index unknown)`);
  return [...lines, ...linesNear(lane.log, atMs).map((line) => line.text)];
}

function dedupe(lines: readonly LogLine[]): LogLine[] {
  return [...new Set(lines)];
}

function legend(root: Selection<HTMLDivElement, unknown, null, undefined>): void {
  const items: [string, string][] = [
    ['tl-key follower', 'follower'],
    ['tl-key candidate', 'candidate'],
    ['tl-key leader', 'leader'],
    ['tl-key down', 'crashed'],
    ['tl-key cut', 'cut off'],
    ['tl-key commit', 'commit index'],
    ['tl-key applied', 'applied index'],
    ['tl-key append', 'AppendEntries'],
    ['tl-key vote', 'RequestVote'],
    ['tl-key snapshot', 'InstallSnapshot, ≤ its last index'],
    ['tl-key delayed', 'delayed'],
    ['tl-key held', 'reply held (long reordering)'],
    ['tl-key lost', '✕ lost / thrown away'],
    ['tl-key failure', 'failure'],
  ];
  const box = root.append('div').attr('class', 'tl-legend');
  for (const [cls, text] of items) {
    const item = box.append('span').attr('class', 'tl-legend-item');
    item.append('span').attr('class', cls);
    item.append('span').text(text);
  }
}
