import { Field, InputType } from 'type-graphql';
import { SegmentFilter } from './segment.inputs';

/** openIncident's input: it sits here because the affected customers are a segment filter (segments/ is above care/). */
@InputType({ description: 'An incident opened by hand: the topic its posts carry, the affected customers, and an optional first message.' })
export class OpenIncidentInput {
  @Field({ description: 'A topic or hashtag ("#outage", "App Outage"), stored in the one topic form; one open incident per topic.' })
  topic!: string;
  @Field(() => SegmentFilter, {
    description: 'The affected customers, posters or not (e.g. { region: "MI" } for an outage in one state); reached only where SERVICE '
      + 'consent allows at each message. At most 100,000 customers.',
  })
  affected!: SegmentFilter;
  @Field(() => String, {
    nullable: true,
    description: 'Sent now as notifyIncident would: once per affected customer and poster with SERVICE consent; it must fit each channel.',
  })
  message?: string | null;
}
