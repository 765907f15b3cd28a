import type { AddressInfo } from 'node:net';
import type * as ApolloCore from '@apollo/client/core' with { 'resolution-mode': 'import' };
import type * as ApolloUtilities from '@apollo/client/utilities' with { 'resolution-mode': 'import' };
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-sse';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';
import { waitFor } from '../helpers/receiver';

// Apollo Client 3 ships ES modules with CommonJS builds beside them; the suite runs as CommonJS.
/* eslint-disable @typescript-eslint/no-require-imports */
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable, gql, split } = require('@apollo/client/core/core.cjs') as typeof ApolloCore;
const { getMainDefinition } = require('@apollo/client/utilities/utilities.cjs') as typeof ApolloUtilities;
type FetchResult = ApolloCore.FetchResult;
type Operation = ApolloCore.Operation;

// What a front-end team writes (README, "From a browser app"): Apollo Client with an HTTP link for
// queries and, for networks whose proxies drop WebSockets, a Server-Sent Events link (graphql-sse's
// client in distinct connections mode) for subscriptions, both carrying the bearer token.

/** Apollo's link over graphql-sse, as graphql-sse's README writes it. */
class SSELink extends ApolloLink {
  constructor(private readonly client: Client) {
    super();
  }
  override request(operation: Operation): ApolloCore.Observable<FetchResult> {
    return new Observable((sink) =>
      this.client.subscribe({ ...operation, query: print(operation.query) }, {
        next: (value) => sink.next(value as FetchResult),
        complete: sink.complete.bind(sink),
        error: sink.error.bind(sink),
      }),
    );
  }
}

let app: TestApp;
let base: string;
const disposers: (() => void)[] = [];
beforeAll(async () => {
  app = await startTestApp();
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const d of disposers) d();
  await app.close();
});

function apolloFor(token: string): ApolloCore.ApolloClient<unknown> {
  const headers = { authorization: `Bearer ${token}` };
  const sse = createClient({ url: `${base}/graphql/stream`, headers, retryAttempts: 0 });
  disposers.push(() => sse.dispose());
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new SSELink(sse),
    new HttpLink({ uri: `${base}/graphql`, headers, fetch }),
  );
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

describe('Apollo Client', () => {
  it('reads a customer 360 over HTTP and follows the customer\'s activity over SSE', async () => {
    const email = `apollo-${unique()}@example.com`;
    const customer = await createCustomer(app.pool, { emails: [email] });
    const client = apolloFor(tokenFor(['agent'], `apollo-${unique()}`));

    const read = await client.query({ query: gql`query($id: ID!) { customer(id: $id) { id emails { value } } }`, variables: { id: customer.id } });
    expect(read.data).toMatchObject({ customer: { id: customer.id, emails: [{ value: email }] } });

    const received: string[] = [];
    const errors: unknown[] = [];
    const subscription = client
      .subscribe({ query: gql`subscription($id: ID!) { customerActivity(customerId: $id) { id content } }`, variables: { id: customer.id } })
      .subscribe({ next: (r) => received.push(r.data.customerActivity.content), error: (e) => errors.push(e) });
    disposers.push(() => subscription.unsubscribe());
    // The stream is open once the server answered: post until the first event arrives.
    const sent: string[] = [];
    for (let k = 0; k < 25 && received.length === 0; k++) {
      sent.push(`through Apollo over SSE ${unique()}`);
      const res = await app.gql(`mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`, {
        input: { idempotencyKey: `apollo-${unique()}`, customerId: customer.id, channel: 'CHAT', content: sent[sent.length - 1] },
      }, ['agent']);
      expect(res.errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(() => received.length > 0, 10_000, 'an event through Apollo Client');
    expect(errors).toEqual([]);
    expect(sent).toContain(received[0]);
  });

  it('gets the service\'s codes: a subscription a role may not open fails with FORBIDDEN', async () => {
    const client = apolloFor(tokenFor(['marketing'], `apollo-${unique()}`));
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: gql`subscription { queueChanged { kind } }` }).subscribe({
        next: (r) => resolve(r.errors?.[0]?.extensions?.code),
        error: (e: { graphQLErrors?: { extensions?: { code?: string } }[] } | { extensions?: { code?: string } }[]) =>
          resolve(Array.isArray(e) ? e[0]?.extensions?.code : e.graphQLErrors?.[0]?.extensions?.code),
      });
    });
    expect(outcome).toBe('FORBIDDEN');
  });
});
