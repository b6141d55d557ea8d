/** The report's stylesheet, inlined in its page: system fonts, light and dark colours by prefers-color-scheme, print-friendly. */
import { html } from './markup';

/** Markup, not text: a `<style>` element's content is never entity-decoded, so it must not be escaped either. */
export const REPORT_CSS = html`
:root {
  --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --accent: #0969da; --good: #1a7f37; --good-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9;
  --hipaa: #8250df; --gdpr: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --accent: #4493f8; --good: #3fb950; --good-bg: #12261e; --bad: #f85149; --bad-bg: #2d1215;
    --hipaa: #ab7df8; --gdpr: #4493f8;
  }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 32px 48px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
section { margin: 36px 0; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); padding: 1px 4px; border-radius: 4px; }
code { white-space: nowrap; }
code.hash { white-space: normal; overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; }
a { color: var(--accent); }
.meta, .muted { color: var(--muted); }
.note { border-left: 3px solid var(--accent); background: var(--panel); padding: 8px 12px; margin: 16px 0; }
nav ol { columns: 3; padding-left: 20px; margin: 8px 0 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 20px 0; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--good); border-radius: 8px; padding: 10px 12px; background: var(--panel); }
.card.bad { border-top-color: var(--bad); }
.card-title { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card-value { font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.ok { color: var(--good); background: var(--good-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0; min-width: 50%; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--panel); white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.cites { margin-top: 16px; padding: 8px 12px; border: 1px dashed var(--line); border-radius: 8px; }
.cites h3 { margin: 0 0 4px; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.cites ul { margin: 0; padding-left: 18px; }
.law { font-size: 11px; font-weight: 700; padding: 0 5px; border-radius: 4px; color: var(--bg); }
.law.hipaa { background: var(--hipaa); }
.law.gdpr { background: var(--gdpr); }
.chart { width: 100%; max-width: 720px; height: auto; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .tick, .chart .legend text { fill: var(--muted); font-size: 11px; }
.chart .series { fill: none; stroke-width: 2.5; }
.chart .series.done { stroke: var(--accent); stroke-width: 8; stroke-opacity: .35; }
.chart .series.committed { stroke: var(--good); }
.chart .total { stroke: var(--muted); stroke-dasharray: 5 4; stroke-width: 1.5; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-inside: avoid-page; }
}
`;
