/**
 * The dashboard's static files, read once at start into memory: the page's own
 * (services/gateway/assets/dashboard: HTML, CSS, plain browser ES modules, no build
 * step) and uPlot's browser build from node_modules (served as `uPlot.esm.js` and
 * `uPlot.min.css`, so the page needs no network). A request names a file by its
 * exact name in this map; nothing else on disk is reachable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** From dist/dashboard/ (and src/dashboard/) the package's assets folder is two levels up. */
export const DASHBOARD_ASSETS_DIR = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));

export function loadDashboardAssets(dir: string = DASHBOARD_ASSETS_DIR): ReadonlyMap<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined) assets.set(name, { body: readFileSync(join(dir, name)), contentType });
  }
  const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot'));
  assets.set('uPlot.esm.js', { body: readFileSync(join(uplotDist, 'uPlot.esm.js')), contentType: CONTENT_TYPES['.js'] });
  assets.set('uPlot.min.css', { body: readFileSync(join(uplotDist, 'uPlot.min.css')), contentType: CONTENT_TYPES['.css'] });
  if (!assets.has('index.html')) throw new Error(`dashboard: no index.html in ${dir}`);
  return assets;
}
