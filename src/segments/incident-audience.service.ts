import type { Viewer } from '../auth';
import type { IncidentService, Incident } from '../care';
import type { OpenIncidentInput } from './incident-audience.inputs';
import { segmentCustomersSql } from './segment.sql';

/**
 * Incidents opened by hand: the affected customers are named by a segment filter, so this part
 * lives above care/ and hands care's IncidentService the filter's customers as SQL.
 */
export class IncidentAudienceService {
  constructor(private readonly incidents: IncidentService) {}

  open(input: OpenIncidentInput, by: Viewer): Promise<Incident> {
    const audience = segmentCustomersSql(input.affected);
    // Stored as given (the fields set), so a retry with the same filter is recognised as one.
    const filter = Object.fromEntries(Object.entries(input.affected).filter(([, v]) => v != null));
    return this.incidents.open({ topic: input.topic, filter, audience, message: input.message }, by);
  }
}
