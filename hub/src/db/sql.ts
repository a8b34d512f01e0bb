/** Small helpers shared by the hub's queries. */

/** SQL for a parameter holding milliseconds, as an interval. */
export const ms = (param: string): string => `(${param}::double precision * interval '1 millisecond')`;

/** A timestamp column's value as a Date (PGlite and node-postgres both give Dates; text is parsed). */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function iso(value: unknown): string {
  return asDate(value).toISOString();
}
