import { expect } from 'vitest';

/**
 * Each series scraped has exactly its figure: one comparison of every series named, so a failure shows all the
 * figures that differ at once. A series missing from the scrape reads `undefined` and fails.
 */
export function expectFigures(read: (series: string) => number | undefined, figures: Record<string, number>): void {
  expect(Object.fromEntries(Object.keys(figures).map((series) => [series, read(series)]))).toStrictEqual(figures);
}
