/**
 * The page: a fixed HTML shell, one stylesheet, and the page's own ES modules compiled from
 * src/inspector/page into dist/inspector/page. Nothing is fetched from anywhere else.
 */

import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { refuse, SECURITY_HEADERS } from './gate.js';
import { STYLE } from './style.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>idpass inspector</title>
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/main.js"></script>
</head>
<body><div id="app"><p class="boot">Loading…</p></div></body>
</html>
`;

const PAGE_DIR = new URL('../page/', import.meta.url);

export function servePage(res: ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  res.end(PAGE);
}

export async function serveAsset(res: ServerResponse, name: string): Promise<void> {
  if (name === 'style.css') {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' });
    return void res.end(STYLE);
  }
  // only the page's own modules, by bare name: no path reaches outside its folder
  if (!/^[a-z][a-z0-9-]*\.js$/.test(name)) return refuse(res, 404, 'not found');
  try {
    const text = await readFile(new URL(name, PAGE_DIR));
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
    res.end(text);
  } catch {
    refuse(res, 404, 'not found');
  }
}
