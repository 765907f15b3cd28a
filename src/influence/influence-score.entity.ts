import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Score history: rows are only ever added, so trends can be computed. */
@Entity('influence_scores')
export class InfluenceScoreEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('real') score!: number;
  @Column('text', { nullable: true }) topic!: string | null;
  @Column('text', { nullable: true }) platform!: string | null;
  @Column('text') source!: string;
  @Column('boolean', { default: false }) computed!: boolean;
  /** Ingested without PROFILING consent: kept, but marked. */
  @Column('boolean', { default: false }) flagged!: boolean;
  @Column('timestamptz', { name: 'measured_at' }) measuredAt!: Date;
  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' }) recordedAt!: Date;
}
