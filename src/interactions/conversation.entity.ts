import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('conversations')
export class ConversationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text', { name: 'origin_channel' }) originChannel!: string;
  @Column('text', { name: 'current_channel' }) currentChannel!: string;
  /** Every channel the thread touched, in first-touch order. */
  @Column('text', { array: true }) channels!: string[];
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz', { name: 'last_activity_at' }) lastActivityAt!: Date;
}
