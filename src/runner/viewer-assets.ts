/**
 * The HTML report's viewer, as `npm run build` bundles it (scripts/build-viewer.mjs):
 * one script and one stylesheet under dist/viewer, read here to be inlined.
 */
import { readFile } from 'node:fs/promises';
import type { ViewerAssets } from './report-html.js';

/** dist/viewer, found from here both when running from dist/runner and from src/runner (the project's tests). */
const VIEWER_DIR = new URL('../../dist/viewer/', import.meta.url);

export class ViewerMissingError extends Error {
  override name = 'ViewerMissingError';
}

export async function readViewerAssets(dir: URL = VIEWER_DIR): Promise<ViewerAssets> {
  try {
    const [script, style] = await Promise.all([readFile(new URL('timeline.js', dir), 'utf8'), readFile(new URL('report.css', dir), 'utf8')]);
    return { script, style };
  } catch (error) {
    throw new ViewerMissingError(`the HTML report's viewer is not built (${(error as Error).message}); run npm run build`);
  }
}
