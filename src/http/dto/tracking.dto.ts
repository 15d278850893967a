import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { LABEL_FORMATS, type LabelFormat } from '../../domain/label-csv';
import { TRACKING_STATUSES, type TrackingStatus } from '../../persistence/tracking-repository';
import { HELD_SHIPMENT_STATUSES, type HeldShipmentStatus } from '../../persistence/held-shipment-repository';

/** At most this many shipments per POST /api/shipments call; larger batches go through the file import. */
export const MAX_SHIPMENTS_PER_CALL = 5000;

/** One shipment from a WMS/3PL or the dashboard. */
export class ShipmentBody {
  // Order numbers are text: 10-digit numbers must not pass through a JSON number.
  @IsString({ message: 'orderNo must be a string (the Qoo10 order number or cart number, as text)' })
  @MinLength(1, { message: 'orderNo must not be empty' })
  @MaxLength(40, { message: 'orderNo must be at most 40 characters' })
  orderNo!: string;

  @IsString({ message: 'carrier must be a string such as "ヤマト", "yamato" or "佐川急便"' })
  @MinLength(1, { message: 'carrier must not be empty' })
  @MaxLength(200, { message: 'carrier must be at most 200 characters (Qoo10 ShippingCorp limit)' })
  carrier!: string;

  @IsString({ message: 'trackingNo must be a string' })
  @MinLength(1, { message: 'trackingNo must not be empty' })
  @MaxLength(100, { message: 'trackingNo must be at most 100 characters' })
  trackingNo!: string;

  @IsOptional()
  @IsString({ message: 'service must be a string such as "ネコポス" or "ゆうパケット"' })
  @MaxLength(100)
  service?: string;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

export class SubmitShipmentsQuery {
  @IsOptional()
  @IsIn(['api', 'manual'], { message: 'source must be api (a WMS/3PL) or manual (typed in the dashboard)' })
  source?: 'api' | 'manual';
}

export class ImportShipmentsQuery {
  @IsOptional()
  @IsIn(LABEL_FORMATS, { message: `format must be one of: ${LABEL_FORMATS.join(', ')}` })
  format?: LabelFormat;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;

  /** The uploaded file's name, kept in each number's source_ref (`name:line`). */
  @IsOptional()
  @IsString()
  @Matches(/^[^/\\\u0000-\u001f]{1,200}$/, { message: 'filename must be a plain file name of 1 to 200 characters' })
  filename?: string;

  /** true: check and match the file, store and send nothing (the dashboard's preview). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: 'true' | 'false';
}

export class ListShipmentsQuery {
  @IsOptional()
  @IsIn(TRACKING_STATUSES, { message: `status must be one of: ${TRACKING_STATUSES.join(', ')}` })
  status?: TrackingStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

export class ListHeldShipmentsQuery {
  @IsOptional()
  @IsIn(HELD_SHIPMENT_STATUSES, { message: `status must be one of: ${HELD_SHIPMENT_STATUSES.join(', ')}` })
  status?: HeldShipmentStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

/**
 * A person's submit of a held row: the corrected values (any left out stay as held). Posting the row
 * unchanged confirms what only needs confirming (a carrier name we do not know is sent as written).
 */
export class SubmitHeldShipmentBody {
  @IsOptional()
  @IsString({ message: 'orderNo must be a string (the Qoo10 order number or cart number, as text)' })
  @MinLength(1, { message: 'orderNo must not be empty' })
  @MaxLength(40, { message: 'orderNo must be at most 40 characters' })
  orderNo?: string;

  @IsOptional()
  @IsString({ message: 'carrier must be a string such as "ヤマト", "yamato" or "佐川急便"' })
  @MinLength(1, { message: 'carrier must not be empty' })
  @MaxLength(200, { message: 'carrier must be at most 200 characters (Qoo10 ShippingCorp limit)' })
  carrier?: string;

  @IsOptional()
  @IsString({ message: 'trackingNo must be a string' })
  @MinLength(1, { message: 'trackingNo must not be empty' })
  @MaxLength(100, { message: 'trackingNo must be at most 100 characters' })
  trackingNo?: string;

  @IsOptional()
  @IsString({ message: 'service must be a string such as "ネコポス" or "ゆうパケット"' })
  @MaxLength(100)
  service?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

export class DiscardHeldShipmentBody {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

/** Sending a number Qoo10 rejected again, corrected or as it was. */
export class ResendShipmentBody {
  @IsOptional()
  @IsString({ message: 'carrier must be a string such as "ヤマト", "yamato" or "佐川急便"' })
  @MinLength(1, { message: 'carrier must not be empty' })
  @MaxLength(200, { message: 'carrier must be at most 200 characters (Qoo10 ShippingCorp limit)' })
  carrier?: string;

  @IsOptional()
  @IsString({ message: 'trackingNo must be a string' })
  @MinLength(1, { message: 'trackingNo must not be empty' })
  @MaxLength(100, { message: 'trackingNo must be at most 100 characters' })
  trackingNo?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}
