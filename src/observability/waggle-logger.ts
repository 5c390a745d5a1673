/** How log lines are written: `text` (`waggle: message key=value`) or `json` (one object a line). */
export type LogFormat = 'text' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export type LogLevel = 'info' | 'warn' | 'error';

/** Structured context of a log line; values are written as JSON (bigint as a decimal string). */
export type LogFields = Readonly<Record<string, string | number | boolean | bigint | null>>;

/**
 * The one way Waggle writes log lines. `msg` is a whole English sentence in both formats, so a
 * text reader loses nothing; `fields` add what a machine wants to filter on.
 */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function jsonValue(value: LogFields[string]): string | number | boolean | null {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A text field value: bare when it is one word, JSON-quoted otherwise (so lines stay one line). */
function textValue(value: LogFields[string]): string {
  const text = typeof value === 'string' ? value : String(value);
  return typeof value === 'string' && !/^[\w.:/@+-]+$/.test(text) ? JSON.stringify(text) : text;
}

/** Formats one line (with its newline); pure, so tests and the writer agree. */
export function formatLogLine(format: LogFormat, level: LogLevel, msg: string, fields: LogFields | undefined, now: Date): string {
  if (format === 'json') {
    const record: Record<string, string | number | boolean | null> = { time: now.toISOString(), level, msg };
    for (const [key, value] of Object.entries(fields ?? {})) {
      // The three envelope keys keep their meaning whatever a caller names its fields.
      if (!(key in record)) record[key] = jsonValue(value);
    }
    return `${JSON.stringify(record)}\n`;
  }
  const extra = Object.entries(fields ?? {}).map(([key, value]) => ` ${key}=${textValue(value)}`).join('');
  // Messages may carry stacks; in text a stack keeps its lines, as before this logger.
  return `waggle: ${msg}${extra}\n`;
}

/** Writes to stderr (or `write`, for tests) in the given format. */
export function createLogger(format: LogFormat, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields): void => write(formatLogLine(format, level, msg, fields, new Date()));
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
