import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { parse, isSafeNumber } from 'lossless-json';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT } from '@opentelemetry/api';
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('t');
for (let i = 0; i < 512; i++) { const s = tracer.startSpan('GET /x', {}, ROOT_CONTEXT); s.setAttributes({ a: 'b', n: i, f: i * 1.25 + 0.1, u: `user-${i}`, 'db.statement': 'SELECT * FROM orders WHERE id = $1' , x1: 'aaaaaaaaaaaaaaaaaaaa', x2: 3, x3: true}); s.addEvent('e'); s.end(); }
const text = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
const numeric = text.replace(/"(\d{16,})"/g, '$1');
console.log(text.slice(0, 600));
console.log('bytes', text.length, /\d{16}/.test(text));
const RISKY = /"[^"\\]*(?:\\.[^"\\]*)*"|(?<=[:,[\s])-?\d{16,}(?![.eE\d])/g;
function transform(t: string): string { return t.replace(RISKY, (m, g) => g === undefined ? m : `"${g}"`); }
function hasRisky(t: string): boolean { RISKY.lastIndex = 0; let m; while ((m = RISKY.exec(t)) !== null) { if (m[1] !== undefined) return true; } return false; }
const bigParser = (s: string) => isSafeNumber(s) ? Number(s) : /^-?\d+$/.test(s) ? BigInt(s) : Number(s);
function time(label: string, f: () => unknown) { for (let i = 0; i < 20; i++) f(); const n = 100; const t0 = performance.now(); for (let i = 0; i < n; i++) f(); const ms = (performance.now() - t0) / n; console.log(label, ms.toFixed(2), 'ms', (text.length / ms / 1000).toFixed(0), 'MB/s'); }
for (const [name, body] of [['strings', text], ['numbers', numeric]] as const) {
  time(`${name} JSON.parse`, () => JSON.parse(body));
  time(`${name} regex test \\d{16}`, () => /\d{16}/.test(body));
  time(`${name} hasRisky`, () => hasRisky(body));
  time(`${name} transform+parse`, () => JSON.parse(transform(body)));
  time(`${name} lossless-json`, () => parse(body, null, bigParser));
}
