import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'shops' })
export class ShopEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'seller_auth_key_enc', type: 'text', nullable: true })
  sellerAuthKeyEnc!: string | null;

  @Column({ name: 'key_fingerprint', type: 'text', nullable: true })
  keyFingerprint!: string | null;

  @Column({ name: 'key_obtained_at', type: 'timestamptz', nullable: true })
  keyObtainedAt!: Date | null;

  @Column({ name: 'key_expires_at', type: 'timestamptz', nullable: true })
  keyExpiresAt!: Date | null;

  @Column({ name: 'key_status', type: 'text' })
  keyStatus!: 'unknown' | 'ok' | 'rejected' | 'expired' | 'undecryptable';

  @Column({ name: 'is_demo', type: 'boolean' })
  isDemo!: boolean;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'jsonb' })
  policy!: Record<string, unknown>;

  @Column({ name: 'carrier_names', type: 'jsonb' })
  carrierNames!: Record<string, string>;

  @Column({ name: 'message_settings', type: 'jsonb' })
  messageSettings!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
