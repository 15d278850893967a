import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** GET /api/alerts */
export class AlertsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit: number = 50;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}
