/**
 * The HTML report's script: finds the timelines embedded in the page and
 * draws each one the first time its run is opened (a closed <details> has
 * no width to draw into, and a report may hold many runs).
 */
import type { Timeline } from '../harness/timeline.js';
import { renderTimeline } from './draw.js';

/** The id of the <script type="application/json"> holding the timelines, by run key; the report builder uses the same. */
const DATA_ID = 'raft-dstest-timelines';

function start(): void {
  const data = document.getElementById(DATA_ID);
  if (data === null) return;
  const timelines = JSON.parse(data.textContent ?? '{}') as Record<string, Timeline>;
  for (const host of document.querySelectorAll<HTMLElement>('[data-timeline]')) {
    const timeline = timelines[host.dataset.timeline ?? ''];
    if (timeline === undefined) continue;
    let drawn = false;
    const draw = () => {
      if (drawn) return;
      drawn = true;
      renderTimeline(host, timeline);
    };
    const details = host.closest('details');
    if (details === null || details.open) draw();
    else details.addEventListener('toggle', () => details.open && draw());
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
