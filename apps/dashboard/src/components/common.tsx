import type { ReactNode } from 'react';
import { describeError } from '../lib/api-client';
import type { ReworkMetricsAnswer, UsageMetricsAnswer } from '../lib/api-types';
import { withheldNote } from '../lib/privacy-note';

/** A titled panel of the dashboard. */
export function Card(props: { title?: string; subtitle?: ReactNode; children: ReactNode; testId?: string; wide?: boolean; actions?: ReactNode }) {
  return (
    <section className={`card${props.wide ? ' wide' : ''}`} data-testid={props.testId}>
      {(props.title || props.actions) && (
        <header className="card-header">
          <div>
            {props.title && <h2>{props.title}</h2>}
            {props.subtitle && <p className="subtitle">{props.subtitle}</p>}
          </div>
          {props.actions}
        </header>
      )}
      {props.children}
    </section>
  );
}

/** One headline figure; `value` is the raw number behind the text (for the browser tests and for tooltips). */
export function Kpi(props: { id: string; label: string; text: string; value: number | null; hint?: string; tone?: 'bad' | 'good' }) {
  return (
    <div className={`kpi${props.tone ? ` ${props.tone}` : ''}`} data-testid={`kpi-${props.id}`} data-value={props.value ?? ''} title={props.hint}>
      <span className="kpi-label">{props.label}</span>
      <b className="kpi-value">{props.text}</b>
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <div className="state loading" role="status" aria-busy="true" data-testid="loading">
      <span className="spinner" aria-hidden="true" /> Loading {props.what}…
    </div>
  );
}

export function Failed(props: { error: unknown; retry?: () => void }) {
  return (
    <div className="state error" role="alert" data-testid="error">
      <p>{describeError(props.error)}</p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: ReactNode }) {
  return (
    <div className="state empty" data-testid="empty">
      {props.children}
    </div>
  );
}

/** A labelled select of a filter bar. */
export function Select<T extends string>(props: { label: string; value: T; options: readonly { value: T; label: string }[]; onChange: (value: T) => void; testId: string }) {
  return (
    <label className="filter">
      <span>{props.label}</span>
      <select value={props.value} onChange={(event) => props.onChange(event.target.value as T)} data-testid={props.testId}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Palette shared by the charts: rework in warm colours, savings in cool ones. */
export const COLORS = {
  lost: '#e4572e',
  cost: '#f59e0b',
  rate: '#7c3aed',
  saved: '#17a673',
  net: '#1d4ed8',
  naive: '#9ca3af',
  att: '#1d4ed8',
  muted: '#6b7280',
};

/** The sentence of what a rework or usage answer withheld to protect small groups, near its chart (nothing when nothing was). */
export function WithheldNote(props: { answer: ReworkMetricsAnswer | UsageMetricsAnswer; testId: string }) {
  const note = withheldNote(props.answer);
  if (note === null) return null;
  return (
    <p className="note withheld-note" data-testid={props.testId} data-withheld={props.answer.suppressed?.rows ?? 0}>
      {note}
    </p>
  );
}
