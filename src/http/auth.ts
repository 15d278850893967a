import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { UnauthorizedError } from '../errors';

// Hashing both sides first gives equal-length buffers, so the comparison time does not reveal
// the token's length or how much of it matched.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

/** Requires `Authorization: Bearer <ADMIN_TOKEN>` on every route it guards. */
export function requireAdminToken(adminToken: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !tokenMatches(adminToken, match[1]!)) {
      next(new UnauthorizedError());
      return;
    }
    next();
  };
}
