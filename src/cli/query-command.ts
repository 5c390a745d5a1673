import type { QueryResultData } from '../query/compile/query-result-shaper.js';
import type { QuerySpec } from '../query/query-spec.js';
import { formatResultsTable, formatSeriesSparklines } from './result-table-format.js';

export const QUERY_HELP = `Usage: waggle query [options] '<text query>'

Runs a text query against a running Waggle and prints the results as a table
(and a small chart of the series), or as Honeycomb's query result JSON.

  waggle query 'VISUALIZE P95(duration_ms), COUNT GROUP BY user.id ORDER BY P95(duration_ms) DESC LIMIT 10'

Options:
  --url <url>          Waggle's main address (env WAGGLE_URL, default http://127.0.0.1:8080)
  --dataset <name>     Dataset to query (default __all__: every dataset)
  --last <duration>    Time range, e.g. 10m, 2h, 7d (appended as LAST unless the query has one)
  --json               Print the query result object as JSON
  --help               Show this help
`;

interface QueryArgs {
  url: string;
  dataset: string;
  last: string | undefined;
  json: boolean;
  text: string;
}

function parseArgs(args: readonly string[]): QueryArgs | string {
  const parsed: QueryArgs = { url: process.env['WAGGLE_URL'] ?? 'http://127.0.0.1:8080', dataset: '__all__', last: undefined, json: false, text: '' };
  const texts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new Error(`option ${arg} needs a value`);
      return next;
    };
    if (arg === '--url') parsed.url = value();
    else if (arg === '--dataset') parsed.dataset = value();
    else if (arg === '--last') parsed.last = value();
    else if (arg === '--json') parsed.json = true;
    else if (arg.startsWith('--')) return `unknown option '${arg}' (see waggle query --help)`;
    else texts.push(arg);
  }
  parsed.text = texts.join(' ').trim();
  if (parsed.text === '') return "missing the query text, e.g. waggle query 'VISUALIZE COUNT GROUP BY service.name'";
  if (parsed.last !== undefined) {
    if (!/^\d+[smhdw]$/.test(parsed.last)) return `--last takes a duration such as 10m, 2h or 7d, got '${parsed.last}'`;
    if (!/\b(LAST|FROM)\b/i.test(parsed.text)) parsed.text += ` LAST ${parsed.last}`;
  }
  return parsed;
}

interface ResultObject {
  query: QuerySpec;
  data: QueryResultData;
}

function calculationLabels(spec: QuerySpec): string[] {
  return spec.calculations.map((c) => (c.column === undefined ? c.op : `${c.op}(${c.column})`));
}

/** `waggle query`: exit 0 with results, 1 for a bad query or an unreachable server, 2 for bad usage. */
export async function runQuery(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(QUERY_HELP);
    return 0;
  }
  let parsed: QueryArgs | string;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    parsed = (error as Error).message;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`waggle query: ${parsed}\n`);
    return 2;
  }
  let response: Response;
  try {
    response = await fetch(new URL('/api/query', parsed.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: parsed.dataset, q: parsed.text }),
    });
  } catch (error) {
    process.stderr.write(`waggle query: cannot reach Waggle at ${parsed.url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}\n`);
    return 1;
  }
  const body = (await response.json().catch(() => null)) as (ResultObject & { error?: string }) | null;
  if (!response.ok || body === null) {
    process.stderr.write(`waggle query: ${body?.error ?? `server answered ${response.status}`}\n`);
    return 1;
  }
  if (parsed.json) {
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
    return 0;
  }
  const labels = calculationLabels(body.query);
  const columns = [...body.query.breakdowns, ...labels.filter((l) => !l.startsWith('HEATMAP('))];
  const heatmaps = labels.filter((l) => l.startsWith('HEATMAP('));
  process.stdout.write(formatResultsTable(body.data, [...columns, ...heatmaps]));
  const firstScalar = labels.find((l) => !l.startsWith('HEATMAP('));
  if (firstScalar !== undefined && process.stdout.columns !== 0) {
    const chart = formatSeriesSparklines(body.data, body.query.breakdowns, firstScalar);
    if (chart !== '') process.stdout.write('\n' + chart);
  }
  return 0;
}
