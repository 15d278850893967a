// Which database errors mean "this row was refused" rather than "the database is unwell". A refused
// row is isolated (the rest of the batch is stored one by one, the refused one reported); any other
// error fails the run as before, so nothing is lost to a connection problem.
import { QueryFailedError } from 'typeorm';

/**
 * SQLSTATE classes of a refused row: 22 data exception (bad encoding, NUL, value out of range, too
 * long), 23 integrity constraint, 54 program limit exceeded, P0 raised by a trigger or function.
 */
const ROW_REFUSAL = /^(22|23|54|P0)/;

export function isRowRefusal(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && ROW_REFUSAL.test(code);
}
