import type { DemoUser } from '../services/demo-users.js';

/** What the page script needs to know; it builds URLs with the host name the browser used. */
export interface PageConfig {
  apiPort: number;
  otlpHttpPort: number;
  wagglePort: number;
  /** An ingest-only key (send_events): public, since anyone can read the page. Empty: none. */
  ingestKey?: string;
  users: ReadonlyArray<Pick<DemoUser, 'id' | 'name' | 'token'>>;
}

/** JSON safe inside <script>: no "</script>", no "<!--", no U+2028/2029 surprises. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The demo shop's page. Data is rendered by the script with textContent, never as HTML. */
export function renderDemoPage(config: PageConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waggle demo shop</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #222; }
  header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
  button, select { font: inherit; padding: .35rem .8rem; }
  #products { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem; }
  #products li { border: 1px solid #ddd; border-radius: 6px; padding: .5rem .75rem; }
  #status { margin-top: 1rem; padding: .5rem .75rem; background: #f6f6f6; border-radius: 6px; }
  .error { color: #b00020; }
  footer { margin-top: 2rem; color: #666; font-size: .9rem; }
</style>
<script type="application/json" id="demo-config">${jsonForScript(config)}</script>
</head>
<body>
<h1>Waggle demo shop</h1>
<header>
  <label>Signed in as <select id="user"></select></label>
  <button id="load-products" type="button">Load products</button>
  <button id="checkout" type="button">Checkout a random cart</button>
  <button id="recommendations" type="button">Recommendations</button>
</header>
<div id="status">Loading…</div>
<ul id="products"></ul>
<footer>
  Every click is a trace that starts in this browser (service <code>demo-browser</code>) and continues in
  <code>demo-api</code>, <code>demo-auth</code> and <code>demo-data</code>.
  <span id="trace-link"></span>
</footer>
<script src="/app.js"></script>
</body>
</html>
`;
}
