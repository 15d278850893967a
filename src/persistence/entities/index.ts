import { JobRunEntity } from './job-run.entity';
import { ShopEntity } from './shop.entity';

export { JobRunEntity, ShopEntity };

export const ENTITIES = [ShopEntity, JobRunEntity];
