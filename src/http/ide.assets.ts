/**
 * The IDE page's own script and stylesheet (plain browser JavaScript: React without JSX), kept
 * in TypeScript strings so they ship in dist/ with the rest (the production image copies only dist/).
 */
export const IDE_SCRIPT = `/* GraphiQL for social-crm: the token field feeds HTTP (Authorization) and graphql-ws (connection_init). */
(function () {
  'use strict';
  var KEY = 'social-crm:token';
  var httpUrl = location.origin + '/graphql';
  var wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var input = document.getElementById('token');
  var state = document.getElementById('token-state');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var wsClient = null;

  function claims(token) {
    try {
      return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    } catch (e) {
      return null;
    }
  }

  function describe(token) {
    if (!token) return 'no token: every operation answers UNAUTHENTICATED';
    var c = claims(token);
    if (!c) return 'not a JWT';
    var left = typeof c.exp === 'number' ? Math.round((c.exp * 1000 - Date.now()) / 60000) : null;
    return (c.sub || '?') + ' as ' + (c.roles || []).join(', ') + (left === null ? '' : left > 0 ? ' (' + left + ' min left)' : ' (expired)');
  }

  function render() {
    var token = input.value.trim();
    var headers = token ? { authorization: 'Bearer ' + token } : {};
    if (wsClient) wsClient.dispose();
    // Subscriptions over the service's own WebSocket, connecting on first use with the current token.
    wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true, retryAttempts: 0, connectionParams: headers });
    var fetcher = GraphiQL.createFetcher({ url: httpUrl, headers: headers, wsClient: wsClient });
    state.textContent = describe(token);
    root.render(React.createElement(GraphiQL, {
      // A new token is a new fetcher: GraphiQL fetches the schema again with it.
      key: token,
      fetcher: fetcher,
      defaultEditorToolsVisibility: false,
      shouldPersistHeaders: false,
      defaultQuery: '# Paste a token above, then run a query (Ctrl-Enter).\\n{\\n  customers(first: 5) {\\n    edges { node { id displayName tier } }\\n  }\\n}\\n',
    }));
  }

  input.value = sessionStorage.getItem(KEY) || '';
  input.addEventListener('change', function () {
    sessionStorage.setItem(KEY, input.value.trim());
    render();
  });
  document.getElementById('token-bar').addEventListener('submit', function (event) {
    event.preventDefault();
    input.dispatchEvent(new Event('change'));
  });
  render();
})();
`;

export const IDE_STYLE = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#token-bar { display: flex; gap: 0.5rem; align-items: center; padding: 0.4rem 0.75rem; border-bottom: 1px solid #ddd; font-size: 0.85rem; }
#token-bar input { flex: 1; font-family: monospace; padding: 0.25rem 0.4rem; }
#token-state { color: #666; min-width: 8rem; }
#graphiql { flex: 1; min-height: 0; }
`;
