import type * as z from 'zod/mini';
import type { FieldError } from '#lib/errors.ts';

/** One message per field; each unknown field gets its own entry naming it. */
export function fieldErrors(error: z.core.$ZodError, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const message = prefix === 'query.' ? 'Unknown query parameter.' : 'Unknown field.';
        errors.push({ path: prefix + (base ? `${base}.${key}` : key), message });
      }
      continue;
    }
    errors.push({ path: prefix + (base || 'body'), message: issue.message });
  }
  return errors;
}
