import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

const MONTH_MESSAGE = 'month must be a JST month as YYYY-MM, e.g. 2026-11';
const SHOP_MESSAGE = 'shopId must be a shop id (uuid)';

/** GET /api/cancel-rate: the month (default: the current JST month) and the shop (default: the only active one). */
export class RateQuery {
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: MONTH_MESSAGE })
  month?: string;

  @IsOptional()
  @IsUUID('all', { message: SHOP_MESSAGE })
  shopId?: string;
}

/** GET /api/cancel-rate/history */
export class RateHistoryQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'months must be a whole number from 1 to 36' })
  @Min(1, { message: 'months must be a whole number from 1 to 36' })
  @Max(36, { message: 'months must be a whole number from 1 to 36' })
  months: number = 12;

  @IsOptional()
  @IsUUID('all', { message: SHOP_MESSAGE })
  shopId?: string;
}

/** GET /api/cancel-rate/cancels: one page of the counted cancels, newest first. */
export class CountedCancelsQuery extends RateQuery {
  @IsOptional()
  @IsString({ message: 'cursor must be the nextCursor of a previous page' })
  @MaxLength(500, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit: number = 50;
}
