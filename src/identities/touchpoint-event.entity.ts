import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Audit of one recordTouchpoint: who linked what to which customer, where and when. */
@Entity('touchpoint_events')
export class TouchpointEventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') touchpoint!: string;
  @Column('text', { name: 'recorded_by' }) recordedBy!: string;
  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' }) recordedAt!: Date;
  @Column('text', { name: 'request_id', nullable: true }) requestId!: string | null;
  @Column('boolean', { name: 'created_customer', default: false }) createdCustomer!: boolean;
  /** The normalised identifiers given: { emails, phones, handles: [{ platform, handle }] }. */
  @Column('jsonb') identifiers!: Record<string, unknown>;
  /** Identifiers given that the customer already owned: what the link went through. */
  @Column('uuid', { name: 'matched_ids', array: true, default: () => "'{}'" }) matchedIds!: string[];
  @Column('uuid', { name: 'added_ids', array: true, default: () => "'{}'" }) addedIds!: string[];
  @Column('integer', { name: 'consent_count', default: 0 }) consentCount!: number;
  @Column('text', { name: 'attribute_keys', array: true, default: () => "'{}'" }) attributeKeys!: string[];
}
