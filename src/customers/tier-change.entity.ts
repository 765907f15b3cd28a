import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tier_changes')
export class TierChangeEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') tier!: string;
  @Column('text', { name: 'previous_tier' }) previousTier!: string;
  @Column('text') reason!: string;
  @Column('text', { name: 'changed_by' }) changedBy!: string;
  @Column('timestamptz', { name: 'changed_at', default: () => 'now()' }) changedAt!: Date;
}
