import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('social_identities')
export class SocialIdentityEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') platform!: string;
  /** Normalised per platform: no leading @, case-folded where the platform ignores case. */
  @Column('text') handle!: string;
  @Column('text', { name: 'external_user_id', nullable: true }) externalUserId!: string | null;
  @Column('text', { name: 'profile_url', nullable: true }) profileUrl!: string | null;
  @Column('integer', { name: 'follower_count', nullable: true }) followerCount!: number | null;
  @Column('boolean', { default: false }) verified!: boolean;
  @Column('text', { name: 'captured_via' }) capturedVia!: string;
  @Column('timestamptz', { name: 'captured_at', default: () => 'now()' }) capturedAt!: Date;
  @Column('text', { name: 'captured_by' }) capturedBy!: string;
}
