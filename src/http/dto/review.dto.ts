import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class ShopQuery {
  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id (uuid)' })
  shopId?: string;
}

export class ApproveBody {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

export class OverrideBody {
  @IsIn(['accept', 'refuse', 'seller-fault'], { message: 'kind must be one of: accept, refuse, seller-fault' })
  kind!: 'accept' | 'refuse' | 'seller-fault';

  @IsString()
  @MinLength(1, { message: 'note is required: say why the suggestion is overridden' })
  @MaxLength(1000)
  note!: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}
