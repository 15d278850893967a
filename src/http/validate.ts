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

/**
 * Turns an untrusted body or query into a validated DTO instance, or throws a 400 naming every
 * failing field. Unknown fields are rejected so a typo is not silently ignored.
 */
export function validated<T extends object>(dto: ClassConstructor<T>, input: unknown, where: 'body' | 'query'): T {
  const instance = plainToInstance(dto, input ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const details = flatten(errors);
    throw new ValidationFailedError(`The request ${where} is invalid: ${details.map((d) => d.field).join(', ')}.`, details);
  }
  return instance;
}
