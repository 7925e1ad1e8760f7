import { badInput } from "./errors.js";

const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;
const MAX_INT4 = 2_147_483_647;

/** Catalog and layout ids are Postgres int4; anything else is a client error, never a 500. */
export function parseIntId(value: string, argument: string): number {
  const id = POSITIVE_INT.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id > MAX_INT4) {
    throw badInput(`${argument} must be a numeric id, got ${JSON.stringify(value.slice(0, 40))}`, {
      argument,
    });
  }
  return id;
}

/** An optional id: absent (null) means "any", but an empty string is a bad id, not "any". */
export function parseOptionalIntId(value: string | null | undefined, argument: string): number | null {
  return value === null || value === undefined ? null : parseIntId(value, argument);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Account, hold and key ids are Postgres uuids: anything else cannot name one. */
export const isUuid = (value: string) => UUID.test(value);
