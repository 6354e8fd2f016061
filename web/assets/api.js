// The public GraphQL API, as this page calls it: one POST to /graphql with the signed-in
// user's bearer token; an error is thrown as an ApiError with the API's stable code and the
// field at fault, never matched by its words.

const SESSION = 'caseledger.session';

/** A refusal or failure the API answered. */
export class ApiError extends Error {
  constructor(code, field, message) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** The signed-in session (`{ token, username, via }`), or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION));
  } catch {
    return null;
  }
}

/** Remembers a session for this tab only (closing the tab signs out). */
export function signIn(value) {
  sessionStorage.setItem(SESSION, JSON.stringify(value));
}

/** Forgets the session. */
export function signOut() {
  sessionStorage.removeItem(SESSION);
}

/** Runs a query or mutation; answers its `data`, throws an ApiError on any error. */
export async function gql(query, variables = {}) {
  const current = session();
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (current) headers.Authorization = `Bearer ${current.token}`;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('NETWORK', null, 'The server cannot be reached. Check the connection and try again.');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError('HTTP_' + response.status, null, `The server answered ${response.status}.`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const ext = first.extensions || {};
    throw new ApiError(ext.code || 'ERROR', ext.field || null, first.message);
  }
  return body.data;
}
