import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ContactPointKind = 'EMAIL' | 'PHONE';

/** An email address or phone number, stored normalised (lower-case email, E.164 phone). */
@Entity('contact_points')
export class ContactPointEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') kind!: ContactPointKind;
  @Column('text') value!: string;
  @Column('boolean', { default: false }) verified!: boolean;
  @Column('text', { name: 'captured_via' }) capturedVia!: string;
  @Column('timestamptz', { name: 'captured_at', default: () => 'now()' }) capturedAt!: Date;
  @Column('text', { name: 'captured_by' }) capturedBy!: string;
}
