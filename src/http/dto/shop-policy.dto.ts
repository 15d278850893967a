import { IsIn, IsOptional } from 'class-validator';
import { STOCK_MEANINGS } from '../../domain/types';

/** PUT /api/shops/:id/policy: the shop's own choices that change decisions (fields left out stay as they are). */
export class ShopPolicyBody {
  @IsOptional()
  @IsIn([...STOCK_MEANINGS], { message: 'stockMeaning must be on_hand (units on the shelf, this order included) or available (this order already deducted)' })
  stockMeaning?: 'on_hand' | 'available';

  @IsOptional()
  @IsIn(['refuse', 'accept', 'review'], { message: 'packedOrders must be refuse, accept or review' })
  packedOrders?: 'refuse' | 'accept' | 'review';
}
