/** One sample of the Prometheus text exposition format: name, labels, value. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/**
 * Reads the text format strictly: every line is a comment (# HELP/# TYPE), blank, or a sample
 * whose labels parse whole; anything else throws, so a malformed exposition fails the test.
 */
export function readPrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const label = LABEL.exec(body);
      if (label === null) throw new Error(`bad labels in: ${line}`);
      labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    // Values are read as Go's ParseFloat reads them: NaN and Inf in any case (prom-client writes "Nan").
    const raw = match[3]!.toLowerCase();
    const value = raw === '+inf' || raw === 'inf' ? Number.POSITIVE_INFINITY : raw === '-inf' ? Number.NEGATIVE_INFINITY : raw === 'nan' ? Number.NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`bad value in: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The value of the one sample with exactly these labels, or undefined when there is none. */
export function sampleValue(samples: readonly PrometheusSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).sort();
  const found = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(wanted));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} with labels ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
