import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'job_runs' })
export class JobRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  job!: string;

  @Column({ name: 'shop_id', type: 'uuid', nullable: true })
  shopId!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text' })
  status!: 'running' | 'ok' | 'failed' | 'aborted';

  @Column({ name: 'window_from', type: 'timestamptz', nullable: true })
  windowFrom!: Date | null;

  @Column({ name: 'window_to', type: 'timestamptz', nullable: true })
  windowTo!: Date | null;

  @Column({ type: 'jsonb' })
  counts!: Record<string, number>;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;
}
