import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('escalations')
export class EscalationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('uuid', { name: 'interaction_id' }) interactionId!: string;
  @Column('text') team!: string;
  @Column('text') reason!: string;
  @Column('boolean', { default: false }) automatic!: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  @Column('text', { nullable: true }) resolution!: string | null;
  @Column('text', { name: 'resolved_by', nullable: true }) resolvedBy!: string | null;
}
