import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ladderGb, type Problem, partnerOf } from './api.ts';
import type { Session } from './session.ts';

/** Whether an error's path names this field ("username" matches "admin.username" and back). */
function pathMatches(errorPath: string, field: string): boolean {
  const e = errorPath.replace(/^\/|^body\./, '').replace(/\//g, '.');
  return e === field || field.endsWith(`.${e}`) || e.endsWith(`.${field}`);
}

/** The problem's detail, for the field its errors[].path names (SPEC §8). */
export function fieldError(problem: Problem | null, field: string): string | null {
  if (!problem) return null;
  const hit = problem.errors.find((error) => pathMatches(error.path, field));
  return hit ? problem.detail : null;
}

/** Whether any of the form's fields shows the problem: if none does, the form shows it itself. */
export function shownOnField(problem: Problem | null, fields: string[]): boolean {
  return !!problem?.errors.some((error) => fields.some((field) => pathMatches(error.path, field)));
}

let nextId = 0;
const useId = () => useState(() => `f${++nextId}`)[0];

interface FieldProps {
  label: string;
  /** The request body's path of this field, for the problem's errors[].path. */
  path: string;
  problem: Problem | null;
  children: (props: {
    id: string;
    'aria-invalid'?: 'true';
    'aria-describedby'?: string;
  }) => JSX.Element;
  hint?: string;
}

export function Field({ label, path, problem, children, hint }: FieldProps) {
  const id = useId();
  const error = fieldError(problem, path);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': 'true' as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-error`} class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function Check({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (value: boolean) => void;
}) {
  const id = useId();
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

export function FormProblem({ problem, fields }: { problem: Problem | null; fields: string[] }) {
  if (!problem || shownOnField(problem, fields)) return null;
  return (
    <p class="error" role="alert">
      {problem.detail}
    </p>
  );
}

/** Loads once (and on reload()), keeping the last problem. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (live) {
          setData(value);
          setProblem(null);
        }
      },
      (error: Problem) => {
        if (live) setProblem(error);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, problem, reload };
}

/** A secret in the one reply that carries it (a key, a signing secret): never shown again. */
export function ShownOnce({
  of,
  value,
  testId,
  onDone,
}: {
  of: string;
  value: string;
  testId: string;
  onDone: () => void;
}) {
  return (
    <div class="panel" role="status">
      <p>
        <strong>{of}</strong>, shown this once: copy it now.
      </p>
      <code class="secret" data-testid={testId}>
        {value}
      </code>
      <button type="button" class="secondary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Backup partner portal`;
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}

export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const id = useId();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div class="dialog" role="dialog" aria-modal="false" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
      <button type="button" class="secondary" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

/** The partner's ladder sizes in GB, once GET /v1/partner has answered (null until then). */
export function useLadder(session: Session): number[] | null {
  const [sizes, setSizes] = useState<number[] | null>(null);
  useEffect(() => {
    let live = true;
    partnerOf(session).then(
      (partner) => live && setSizes(ladderGb(partner.ladder)),
      () => live && setSizes(null),
    );
    return () => {
      live = false;
    };
  }, [session]);
  return sizes;
}
