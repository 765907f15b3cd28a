import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A merge and its undo; `moved` lists, per customer-owned table, the row ids that moved. */
@Entity('customer_merges')
export class CustomerMergeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'survivor_id' }) survivorId!: string;
  @Column('uuid', { name: 'merged_id' }) mergedId!: string;
  @Column('timestamptz', { name: 'merged_at', default: () => 'now()' }) mergedAt!: Date;
  @Column('text', { name: 'merged_by' }) mergedBy!: string;
  @Column('jsonb') moved!: Record<string, string[]>;
  /** Row ids the survivor owned at merge time: never "added after the merge" on undo. */
  @Column('jsonb', { name: 'survivor_rows' }) survivorRows!: Record<string, string[]>;
  /** Customers merged into the merged one earlier, re-pointed to the survivor. */
  @Column('uuid', { array: true, default: () => "'{}'" }) repointed!: string[];
  @Column('timestamptz', { name: 'undone_at', nullable: true }) undoneAt!: Date | null;
  @Column('text', { name: 'undone_by', nullable: true }) undoneBy!: string | null;
  @Column('jsonb', { name: 'returned_after_merge', nullable: true }) returnedAfterMerge!: Record<string, string[]> | null;
}
