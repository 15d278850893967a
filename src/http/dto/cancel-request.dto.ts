import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { DECISION_KINDS, type DecisionKind } from '../../domain/types';
import type { RequestStatus } from '../../persistence/cancel-request-repository';

export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'review', 'acting', 'done', 'closed'];

/**
 * A JST calendar date (2026-11-15) or an ISO 8601 instant with its zone (2026-11-15T09:00:00+09:00,
 * 2026-11-15T00:00:00Z). An instant without a zone is refused: it would be read in the server's zone.
 */
export const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const dateMessage = (field: string) =>
  `${field} must be a JST date YYYY-MM-DD or an ISO 8601 instant with a zone, e.g. 2026-11-15 or 2026-11-15T09:00:00+09:00`;
const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 200';

/** Blank text means "no filter", so a form that sends every field empty still works. */
const blankToUndefined = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || undefined : value);

/** GET /api/cancel-requests */
export class CancelRequestsQuery {
  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(REQUEST_STATUSES, { message: `status must be one of: ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;

  /** The kind of the current decision. */
  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(DECISION_KINDS, { message: `kind must be one of: ${DECISION_KINDS.join(', ')}` })
  kind?: DecisionKind;

  /** Requested on or after: a JST date (from its first instant) or an instant. */
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(DATE_OR_INSTANT, { message: dateMessage('from') })
  from?: string;

  /** Requested up to: a JST date (the whole day included) or an instant (excluded). */
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(DATE_OR_INSTANT, { message: dateMessage('to') })
  to?: string;

  /** Text in the order number, cart number, item title or seller item code. */
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'q must be text' })
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  q?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(200, { message: LIMIT_MESSAGE })
  limit: number = 50;

  @IsOptional()
  @IsString({ message: 'cursor must be the nextCursor of a previous page' })
  @MaxLength(200, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

/** GET /api/dashboard: the shop (default: the first active one). */
export class DashboardQuery {
  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}
