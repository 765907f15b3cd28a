import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('interactions')
export class InteractionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('uuid', { name: 'conversation_id' }) conversationId!: string;
  @Column('uuid', { name: 'social_identity_id', nullable: true }) socialIdentityId!: string | null;
  @Column('text') channel!: string;
  @Column('text') direction!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('text') content!: string;
  @Column('boolean', { name: 'is_public', default: false }) isPublic!: boolean;
  @Column('text', { default: 'OTHER' }) category!: string;
  @Column('real', { nullable: true }) sentiment!: number | null;
  @Column('text', { array: true, default: '{}' }) topics!: string[];
  @Column('text', { default: 'CUSTOMER_SERVICE' }) lane!: string;
  @Column('text', { name: 'skill_group', nullable: true }) skillGroup!: string | null;
  @Column('text', { default: 'OPEN' }) status!: string;
  @Column('timestamptz', { name: 'responded_at', nullable: true }) respondedAt!: Date | null;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  @Column('timestamptz', { name: 'sla_due_at', nullable: true }) slaDueAt!: Date | null;
  @Column('uuid', { name: 'in_reply_to_id', nullable: true }) inReplyToId!: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  /** Retries with the same key return the first result (unique index). */
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  /** Hash of the request content, to tell a retry from a conflicting reuse of a key. */
  @Column('text', { name: 'content_hash', nullable: true }) contentHash!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
