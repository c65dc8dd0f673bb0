import { expect } from 'vitest';

/**
 * The error of class `type` that `run` throws, for a test to look into; any other error is thrown on, and
 * `run` returning is a failure that says `what` was not refused.
 */
export function refusedWith<E extends Error>(
  type: abstract new (...args: never[]) => E,
  run: () => unknown,
  what = 'the call',
): E {
  try {
    run();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`${what} was not refused`);
}

/** The error of class `type` that `promise` rejects with; it fulfilling, or rejecting with anything else, fails. */
export async function rejectedWith<E extends Error>(
  type: abstract new (...args: never[]) => E,
  promise: Promise<unknown>,
): Promise<E> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
