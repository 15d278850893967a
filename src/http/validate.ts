import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ValidationFailedError } from '../errors';

function flatten(errors: ValidationError[], prefix = ''): Array<{ field: string; message: string }> {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Paths of string values holding U+0000, which PostgreSQL text cannot store. */
function nulBytePaths(value: unknown, path: string): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path || 'value'] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => nulBytePaths(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => nulBytePaths(inner, path ? `${path}.${key}` : key));
  }
  return [];
}

/** Rejects a NUL character anywhere in untrusted input with a 400 naming the field. */
export function rejectNulBytes(input: unknown, where: string): void {
  const fields = nulBytePaths(input, '');
  if (fields.length > 0) {
    throw new ValidationFailedError(`The request ${where} contains a NUL character.`, fields.map((field) => ({ field, message: 'must not contain a NUL character' })));
  }
}

/**
 * A path segment that names an order (Qoo10 order numbers are digits) or a seller item code
 * (printable, at most 100 characters); anything else is a 400 before it reaches the database.
 */
export function validatedParam(kind: 'orderNo' | 'sellerItemCode' | 'id', value: string): string {
  const ok =
    kind === 'orderNo' ? /^\d{1,20}$/.test(value)
    : kind === 'id' ? /^\d{1,18}$/.test(value)
    : value.length >= 1 && value.length <= 100 && !/[\u0000-\u001f\u007f]/.test(value);
  if (!ok) {
    const expected = kind === 'orderNo' ? 'a Qoo10 order number (digits)' : kind === 'id' ? 'a numeric id' : 'a seller item code of 1–100 printable characters';
    throw new ValidationFailedError(`The ${kind} in the path is invalid.`, [{ field: kind, message: `must be ${expected}` }]);
  }
  return value;
}

/**
 * Turns an untrusted body or query into a validated DTO instance, or throws a 400 naming every
 * failing field. Unknown fields are rejected so a typo is not silently ignored.
 */
export function validated<T extends object>(dto: ClassConstructor<T>, input: unknown, where: 'body' | 'query' | 'path'): T {
  rejectNulBytes(input, where);
  const instance = plainToInstance(dto, input ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const details = flatten(errors);
    throw new ValidationFailedError(`The request ${where} is invalid: ${details.map((d) => d.field).join(', ')}.`, details);
  }
  return instance;
}
