/** The page's one stylesheet (served as /assets/style.css; CSP allows no inline style). */
export const STYLE = `
:root { --bg:#fff; --fg:#1d2430; --dim:#6b7380; --line:#e3e6ea; --sel:#e8f0fe; --good:#137333; --bad:#b3261e; --warn:#9a6700; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media (prefers-color-scheme: dark) { :root { --bg:#15181d; --fg:#e6e8eb; --dim:#9aa1ab; --line:#2b3038; --sel:#23324a; --good:#7bd389; --bad:#ff8a80; --warn:#f2c14e; } }
* { box-sizing: border-box; }
body { margin:0; font: 13px/1.45 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; gap:12px; align-items:center; padding:8px 12px; border-bottom:1px solid var(--line); }
header h1 { font-size:14px; margin:0; }
header .state { color:var(--dim); }
header a, button { font:inherit; }
button { background:none; border:1px solid var(--line); color:var(--fg); border-radius:4px; padding:3px 8px; cursor:pointer; }
button:hover { background:var(--sel); }
main { display:grid; grid-template-columns: minmax(360px, 42%) 1fr; height: calc(100vh - 41px); }
.left { display:flex; flex-direction:column; border-right:1px solid var(--line); min-height:0; }
.filters { display:flex; flex-wrap:wrap; gap:6px; padding:8px; border-bottom:1px solid var(--line); }
.filters select, .filters input, textarea, .to { font:inherit; background:var(--bg); color:var(--fg); border:1px solid var(--line); border-radius:4px; padding:3px 6px; }
.filters input { flex:1; min-width:140px; }
.list { flex:1; overflow-y:auto; position:relative; min-height:0; }
.rows { position:relative; }
.row { position:absolute; left:0; right:0; height:28px; display:grid; grid-template-columns: 64px 1fr 84px 70px 40px; gap:6px; align-items:center; padding:0 8px; border-bottom:1px solid var(--line); cursor:pointer; white-space:nowrap; overflow:hidden; }
.row span { overflow:hidden; text-overflow:ellipsis; }
.row.selected { background:var(--sel); }
.row.marked { outline:2px solid var(--warn); outline-offset:-2px; }
.dim { color:var(--dim); }
.good { color:var(--good); } .bad { color:var(--bad); } .warn { color:var(--warn); }
.right { overflow:auto; padding:10px 14px; min-width:0; }
.tabs { display:flex; gap:4px; margin:8px 0; flex-wrap:wrap; }
.tabs button.on { background:var(--sel); border-color:var(--dim); }
.actions { display:flex; gap:6px; flex-wrap:wrap; align-items:center; }
pre, .mono { font-family:var(--mono); font-size:12px; }
pre { white-space:pre-wrap; overflow-wrap:anywhere; margin:0; }
.section h3 { font-size:12px; text-transform:uppercase; color:var(--dim); margin:12px 0 4px; }
table { border-collapse:collapse; width:100%; }
td, th { text-align:left; vertical-align:top; padding:2px 6px; border-bottom:1px solid var(--line); overflow-wrap:anywhere; }
th { color:var(--dim); font-weight:normal; }
.tree ul { list-style:none; margin:0; padding-left:16px; }
.tree li { font-family:var(--mono); font-size:12px; }
.tree .key { color:var(--dim); }
.tree .toggle { cursor:pointer; user-select:none; }
.tree img { display:block; max-width:240px; max-height:240px; margin:4px 0; border:1px solid var(--line); }
.esc { color:var(--warn); }
.changed td { background: rgba(255,200,0,.12); } .added td { background: rgba(0,200,80,.12); } .removed td { background: rgba(255,60,60,.12); }
textarea { width:100%; min-height:320px; font-family:var(--mono); font-size:12px; }
.to { min-width:280px; }
.note { color:var(--dim); margin:6px 0; }
.empty { padding:16px; color:var(--dim); }
`;
