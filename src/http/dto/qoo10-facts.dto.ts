import { IsUUID } from 'class-validator';

/** The path of GET /api/shops/:id/qoo10-facts. */
export class ShopIdParams {
  @IsUUID('all', { message: 'id must be a shop id (uuid)' })
  id!: string;
}
