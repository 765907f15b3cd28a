import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One entry of the append-only consent ledger of a social identity or a contact point. */
@Entity('consent_events')
export class ConsentEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('uuid', { name: 'social_identity_id', nullable: true }) socialIdentityId!: string | null;
  @Column('uuid', { name: 'contact_point_id', nullable: true }) contactPointId!: string | null;
  @Column('text') purpose!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' }) recordedAt!: Date;
  @Column('text') source!: string;
  @Column('text', { name: 'recorded_by' }) recordedBy!: string;
  @Column('text', { nullable: true }) wording!: string | null;
  @Column('text', { name: 'wording_version', nullable: true }) wordingVersion!: string | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
}
