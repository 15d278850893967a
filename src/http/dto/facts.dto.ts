import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class StockBody {
  @IsInt({ message: 'available must be a whole number of units' })
  @Min(0, { message: 'available must be 0 or more' })
  @Max(1_000_000_000, { message: 'available must be at most 1,000,000,000' })
  available!: number;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

export class MadeToOrderBody {
  @IsBoolean({ message: 'madeToOrder must be true or false' })
  madeToOrder!: boolean;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

export class OrderFactBody {
  @IsOptional()
  @IsBoolean({ message: 'packed must be true or false' })
  packed?: boolean;

  @IsOptional()
  @IsBoolean({ message: 'handedToCarrier must be true or false' })
  handedToCarrier?: boolean;

  @IsOptional()
  @IsIn(['out_of_stock', 'undeliverable_area', 'shipping_delay', 'defect'], {
    message: 'shopFault must be one of: out_of_stock, undeliverable_area, shipping_delay, defect',
  })
  shopFault?: 'out_of_stock' | 'undeliverable_area' | 'shipping_delay' | 'defect';

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

/** POST /api/stock/import */
export class StockImportQuery {
  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;

  /** true: check the file and write nothing (the dashboard's preview). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: 'true' | 'false';

  /** false: refuse, by line, item codes the shop has never seen (typos); default true (accepted). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'allowUnknown must be true or false' })
  allowUnknown?: 'true' | 'false';
}
