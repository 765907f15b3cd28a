import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('customers')
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { name: 'display_name' }) displayName!: string;
  /** Lower-cased, accent-free "given family" used to suggest duplicates. */
  @Column('text', { name: 'name_key', default: '' }) nameKey!: string;
  @Column('text', { nullable: true }) city!: string | null;
  @Column('text', { nullable: true }) region!: string | null;
  @Column('text', { nullable: true }) country!: string | null;
  @Column('text', { default: 'NONE' }) tier!: string;
  /** Loyalty and value fields given at touchpoints (e.g. lifetimeValue). */
  @Column('jsonb', { default: {} }) attributes!: Record<string, unknown>;
  @Column('uuid', { name: 'merged_into', nullable: true }) mergedInto!: string | null;
  @Column('timestamptz', { name: 'erased_at', nullable: true }) erasedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
