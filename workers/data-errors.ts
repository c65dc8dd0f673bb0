import { ApplicationFailure } from '@temporalio/common';
import type {
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  ActivityInterceptorsFactory,
} from '@temporalio/worker';
import { ErrorType } from '../domain/errors.js';

/**
 * PostgreSQL refuses a value as data with an SQLSTATE of class 22 ("data exception"): a NUL in text, a number
 * out of range, a malformed date, text too long for its column. The same arguments give the same refusal on
 * every attempt, so an activity retried without limit (compensations, journal steps) would retry forever and
 * wedge its saga. This interceptor turns such an error, wherever it sits in the activity's cause chain, into a
 * non-retryable `DataRejected` failure. The message names the condition, table and column, never the value:
 * PostgreSQL's own message and detail often quote it, and it may be personal data.
 */

/** Names of the class 22 conditions we expect to meet (PostgreSQL, Appendix A "Error Codes"). */
const CONDITIONS: Record<string, string> = {
  '22000': 'data_exception',
  '22001': 'string_data_right_truncation (text longer than its column)',
  '22003': 'numeric_value_out_of_range',
  '22004': 'null_value_not_allowed',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22012': 'division_by_zero',
  '22021': 'character_not_in_repertoire (a NUL or an invalid byte in text)',
  '22023': 'invalid_parameter_value',
  '22026': 'string_data_length_mismatch',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character (a \\u0000 escape in JSON)',
  '22032': 'invalid_json_text',
};

interface PgDataError {
  code: string;
  table?: string;
  column?: string;
}

/** A PostgreSQL error of class 22 in `err` or its causes (pg's DatabaseError carries `severity` and `code`). */
export function findDataError(err: unknown): PgDataError | undefined {
  const seen = new Set<unknown>();
  for (let current = err; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const candidate = current as Error & Partial<Record<'code' | 'severity' | 'table' | 'column', unknown>>;
    if (
      typeof candidate.code === 'string' &&
      typeof candidate.severity === 'string' &&
      /^22[0-9A-Z]{3}$/.test(candidate.code)
    ) {
      return {
        code: candidate.code,
        ...(typeof candidate.table === 'string' ? { table: candidate.table } : {}),
        ...(typeof candidate.column === 'string' ? { column: candidate.column } : {}),
      };
    }
  }
  return undefined;
}

/** The non-retryable failure for a class 22 error; its message and details hold no value, only where and why. */
export function dataRejection(activityType: string, found: PgDataError): ApplicationFailure {
  const condition = CONDITIONS[found.code] ?? 'data exception';
  const where = [found.table && `table ${found.table}`, found.column && `column ${found.column}`]
    .filter(Boolean)
    .join(', ');
  return ApplicationFailure.create({
    type: ErrorType.DataRejected,
    message: `${activityType}: PostgreSQL refused a value (SQLSTATE ${found.code} ${condition}${where ? `; ${where}` : ''}); the same value is refused on every attempt, so the step is not retried`,
    nonRetryable: true,
    details: [
      {
        sqlstate: found.code,
        ...(found.table ? { table: found.table } : {}),
        ...(found.column ? { column: found.column } : {}),
      },
    ],
  });
}

export class DataErrorInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly activityType: string) {}

  async execute(
    input: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[0],
    next: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[1],
  ): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      const found = err instanceof ApplicationFailure && err.nonRetryable ? undefined : findDataError(err);
      // No cause attached: the original error's message may quote the value.
      if (found) throw dataRejection(this.activityType, found);
      throw err;
    }
  }
}

/** For `Worker.create({ interceptors: { activity: [dataErrorInterceptors] } })`; covers local activities too. */
export const dataErrorInterceptors: ActivityInterceptorsFactory = (ctx): ActivityInterceptors => ({
  inbound: new DataErrorInterceptor(ctx.info.activityType),
});
