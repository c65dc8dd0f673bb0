import type { z } from 'zod';

/** One field that failed validation, named by its path the way the caller sent it (`place.segment`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The issues of a zod error, one per field. A field the schema does not know (strict objects) is named by its
 * own path with "unknown field", one problem per key, so the caller sees which key to drop.
 */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: at.join('.') || '(body)', message: issue.message }];
  });
}

/** The first problem as "field: message", for rejections an app or an officer reads. */
export function firstIssue(error: z.ZodError): string {
  const problem = fieldProblems(error)[0]!;
  return `${problem.field}: ${problem.message}`;
}
