import { useState, type ReactNode } from 'react';
import { formatDurationSeconds } from '../../models/duration-format-model.js';
import {
  absoluteTime,
  fromDatetimeLocal,
  granularityChoices,
  presetOf,
  relativeLabel,
  relativeSeconds,
  relativeTime,
  resolveTimeWindow,
  TIME_PRESETS,
  toDatetimeLocal,
  type SpecTimeFields,
} from '../../models/time-range-model.js';

export interface TimeRangePickerProps {
  time: SpecTimeFields;
  onChange: (next: SpecTimeFields) => void;
}

export function TimeRangePicker({ time, onChange }: TimeRangePickerProps): ReactNode {
  const preset = presetOf(time);
  const relative = relativeSeconds(time);
  // A relative window that is no preset (`LAST 30m`) gets an option of its own, not the custom dates.
  const otherRelative = preset === null && relative !== null ? `last:${relative}` : null;
  const [custom, setCustom] = useState(relative === null);
  const window = resolveTimeWindow(time, Math.floor(Date.now() / 1000));
  const [from, setFrom] = useState(toDatetimeLocal(window.startSec));
  const [to, setTo] = useState(toDatetimeLocal(window.endSec));
  const range = window.endSec - window.startSec;
  const customError = (() => {
    const start = fromDatetimeLocal(from);
    const end = fromDatetimeLocal(to);
    if (start === null || end === null) return 'Enter both times.';
    if (end <= start) return 'The end must come after the start.';
    return null;
  })();

  return (
    <div className="time-picker" role="group" aria-label="Time range">
      <label>
        <span className="sr-only">Time range</span>
        <select
          value={custom ? 'custom' : preset?.short ?? otherRelative ?? 'custom'}
          onChange={(e) => {
            if (e.target.value === 'custom') {
              setCustom(true);
              setFrom(toDatetimeLocal(window.startSec));
              setTo(toDatetimeLocal(window.endSec));
              return;
            }
            if (e.target.value === otherRelative) {
              setCustom(false);
              return;
            }
            const next = TIME_PRESETS.find((p) => p.short === e.target.value);
            if (next) {
              setCustom(false);
              onChange(relativeTime(next.seconds, time.granularity));
            }
          }}
        >
          {TIME_PRESETS.map((p) => (
            <option key={p.short} value={p.short}>
              {p.label}
            </option>
          ))}
          {otherRelative !== null && relative !== null && <option value={otherRelative}>{relativeLabel(relative)}</option>}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {custom && (
        <span className="custom-range">
          <input type="datetime-local" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} />
          <span aria-hidden="true">→</span>
          <input type="datetime-local" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)} />
          <button
            type="button"
            disabled={customError !== null}
            title={customError ?? 'Apply this window'}
            onClick={() => {
              const start = fromDatetimeLocal(from);
              const end = fromDatetimeLocal(to);
              if (start !== null && end !== null && end > start) onChange(absoluteTime({ startSec: start, endSec: end }, time.granularity));
            }}
          >
            Apply
          </button>
        </span>
      )}
      <label className="granularity">
        <span>Granularity</span>
        <select
          value={time.granularity === undefined ? 'auto' : String(time.granularity)}
          onChange={(e) => {
            const { granularity: _dropped, ...rest } = time;
            onChange(e.target.value === 'auto' ? rest : { ...rest, granularity: Number(e.target.value) });
          }}
        >
          <option value="auto">auto</option>
          {time.granularity !== undefined && !granularityChoices(range).includes(time.granularity) && (
            <option value={String(time.granularity)}>{formatDurationSeconds(time.granularity)}</option>
          )}
          {granularityChoices(range).map((g) => (
            <option key={g} value={String(g)}>
              {formatDurationSeconds(g)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
